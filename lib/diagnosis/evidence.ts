import type { HttpResult, ProbeReport } from "../probe/report-schema.ts";
import type { Observations } from "./observe.ts";
import type { Evidence } from "./types.ts";

/** Builders of evidence items: each names where its value came from, so a person can check it. */

export const LOG_DIR = "/var/log/ecs";
export const LIFECYCLE_PATH = "latest/meta-data/autoscaling/target-lifecycle-state";
export const INTROSPECTION_URL = "http://localhost:51678/v1/metadata";

/** The matching part of each kind of log line, for highlighting. */
export const LINE_PATTERNS = {
  lifecycle:
    /Could not determine target lifecycle of instance\b.*?StatusCode: ?(\d+)|Could not determine target lifecycle of instance/,
  waiting: /Waiting for instance to go InService/,
  registered: /[Rr]egistration completed successfully|Restored from checkpoint file/,
  started: /Amazon ECS agent Version: *v?[\d.]+/,
  init: /agent exited with terminal exit code: *\d+|Agent exited with code \d+|ECS Agent failed to start, retrying/i,
  "imds-region": /Unable to communicate with EC2 Metadata service to infer region|Missing required fields: AWSRegion/,
  credentials:
    /Error getting valid credentials|no EC2 IMDS role found|failed to refresh cached credentials|NoCredentialProviders: no valid providers in chain|NoCredentialProviders|failed to get API token/,
  registration:
    /Agent will terminally exit, unable to register container instance|Unable to register as a container instance with ECS|Error registering container instance|unable to register container instance/,
  "state-mismatch":
    /Data mismatch; saved cluster '[^']*' does not match configured cluster '[^']*'|Data mismatch; saved cluster/,
  "task-engine": /Unable to initialize new task engine/,
  docker: /Could not get supported docker versions\.?|Cannot connect to the Docker daemon/,
  cgroups: /Unable to initialize cgroup root for ECS/,
  "cloud-init": /Cloud-init failure detected/,
  "cluster-not-found":
    /Received terminal error from RegisterContainerInstance call, exiting|ClientException: Cluster not found\.?|Cluster not found\.?/,
  "docker-api": /client version [\d.]+ is too old/,
  "disk-full": /no space left on device/,
  "clock-skew": /InvalidSignatureException: Signature not yet current|Signature not yet current|Signature expired/,
  "instance-type": /[Tt]he current instance type does not match the registered instance type/,
  acs: /Connected to ACS endpoint|Failed to connect to ACS|ACS Connection hasn't had any activity for too long; closing connection|ACS WebSocket connection closed/,
  error:
    /level="?(crit|critical|error|fatal)\b|"level": ?"(crit|critical|error|fatal)"|\[(CRIT|CRITICAL|ERROR|FATAL)\]/,
} as const;

export function matchOf(text: string, pattern: RegExp | undefined): [number, number] | undefined {
  if (!pattern) return undefined;
  const m = pattern.exec(text);
  return m ? [m.index, m.index + m[0].length] : undefined;
}

type LineItem = { file: string; n: number; t?: string | null; text?: string };

export function logEvidence(
  label: string,
  item: LineItem,
  pattern?: RegExp,
  fallbackValue?: string,
  tailed = false,
): Evidence {
  const value = item.text ?? fallbackValue ?? "";
  const match = item.text ? matchOf(item.text, pattern) : undefined;
  return {
    label: tailed ? `${label} (line counted from the last 16 MB of the file)` : label,
    value,
    ...(match ? { match } : {}),
    source: { kind: "log", file: `${LOG_DIR}/${item.file}`, line: item.n, ...(item.t ? { time: item.t } : {}) },
  };
}

export function isTailed(report: ProbeReport, file: string): boolean {
  return report.logs.tailed?.includes(file) ?? false;
}

export function httpText(code: HttpResult | "ok"): string {
  if (code === "ok") return "token issued";
  if (typeof code === "number") return `HTTP ${code}`;
  return {
    timeout: "no answer (timed out)",
    refused: "connection refused",
    error: "request failed",
    skipped: "not asked (out of time)",
  }[code];
}

export function imdsEvidence(o: Observations): Evidence {
  const { imds } = o.report;
  const code = typeof imds.lcCode === "number" ? imds.lcCode : null;
  let label: string;
  let value: string;
  if (o.imds.kind === "state") {
    label =
      o.imds.state === "InService"
        ? "IMDS now publishes InService: a restarted agent will get past the check"
        : `IMDS now publishes ${o.imds.state}: an agent with the check on keeps waiting`;
    value = o.imds.state;
  } else if (o.imds.kind === "no-state") {
    label = "IMDS has no lifecycle state for this instance (404): it is not in an Auto Scaling group (yet)";
    value = "404 Not Found";
  } else {
    label = `IMDS did not answer the lifecycle-state path: ${o.imds.why}`;
    value = httpText(imds.lcCode);
  }
  return { label, value, match: [0, value.length], source: { kind: "imds", path: LIFECYCLE_PATH, httpCode: code } };
}

export function tokenEvidence(report: ProbeReport): Evidence {
  const t = report.imds.token;
  return {
    label: t === "ok" ? "IMDSv2 token request succeeded" : "IMDSv2 token request failed",
    value: httpText(t),
    source: { kind: "imds", path: "latest/api/token", httpCode: typeof t === "number" ? t : t === "ok" ? 200 : null },
  };
}

export function checkEvidence(o: Observations): Evidence | undefined {
  const { check } = o;
  if (check.raw === undefined) {
    return {
      label: "ECS_WARM_POOLS_CHECK is not set: the check is off (default false)",
      value: "(not set)",
      source: {
        kind: "config",
        file: o.report.config.files.at(-1) ?? "/etc/ecs/ecs.config",
        key: "ECS_WARM_POOLS_CHECK",
      },
    };
  }
  const value = `ECS_WARM_POOLS_CHECK=${check.raw}`;
  const label =
    check.parsed === true
      ? "The warm-pool check is on"
      : check.parsed === false
        ? "The warm-pool check is off"
        : check.parsed === undefined
          ? "ECS_WARM_POOLS_CHECK is empty: the check is off (default false)"
          : "ECS_WARM_POOLS_CHECK is not a Go boolean (quotes or a comment?): the agent ignores it and the check is off";
  return {
    label: check.line ? `${label} (line ${check.line})` : label,
    value,
    match: [0, value.length],
    source: { kind: "config", file: check.file ?? "/etc/ecs/ecs.config", key: "ECS_WARM_POOLS_CHECK" },
  };
}

export function serviceEvidence(o: Observations): Evidence | undefined {
  const s = o.report.service;
  if (s.init === "unknown" && !s.active) return undefined;
  if (s.init === "upstart") {
    return {
      label: "Upstart reports the ecs job",
      value: s.sub ?? s.active ?? "unknown",
      source: { kind: "service", unit: "ecs", property: "status" },
    };
  }
  const parts = [`ActiveState=${s.active ?? "?"}`, `SubState=${s.sub ?? "?"}`];
  if (s.result) parts.push(`Result=${s.result}`);
  if (s.status !== null && s.status !== undefined) parts.push(`ExecMainStatus=${s.status}`);
  if (s.restarts !== null && s.restarts !== undefined) parts.push(`NRestarts=${s.restarts}`);
  if (s.exited) parts.push(`ExecMainExitTimestamp=${s.exited}`);
  if (s.enabled) parts.push(`UnitFileState=${s.enabled}`);
  if (s.prevent !== undefined && s.prevent !== null) parts.push(`RestartPreventExitStatus=${s.prevent}`);
  const value = parts.join(" ");
  const label =
    s.status === 5 && s.active !== "active" && o.exit5Final
      ? "The ecs service exited with status 5 (terminal): systemd will not restart it"
      : s.status === 5 && s.active !== "active"
        ? `The ecs service exited with status 5, but its unit${s.unit ? ` (${s.unit})` : ""} has no RestartPreventExitStatus=5 (the generic deb unit): systemd restarts it every 10 s and it fails the same way each time`
        : o.unitDisabled
          ? `The ecs unit is disabled and ${s.active ?? "not running"}: nothing starts it at boot${o.neverRan || o.notRunThisBoot ? ", and it has not run since this boot" : ""}`
          : s.active === "active"
            ? "The ecs service is running"
            : `The ecs service is ${s.active ?? "in an unknown state"}`;
  const at = o.unitDisabled ? value.indexOf("UnitFileState=") : -1;
  return {
    label,
    value,
    ...(at >= 0 ? { match: [at, at + "UnitFileState=disabled".length] as [number, number] } : {}),
    source: { kind: "service", unit: "ecs", property: o.unitDisabled ? "UnitFileState" : "ActiveState" },
  };
}

export function introspectionEvidence(report: ProbeReport): Evidence {
  const a = report.agent;
  if (a.code === 200 && a.arn) {
    return {
      label: "The agent is registered (introspection returns a ContainerInstanceArn)",
      value: a.arn,
      match: [0, a.arn.length],
      source: { kind: "introspection", url: INTROSPECTION_URL, field: "ContainerInstanceArn" },
    };
  }
  return {
    label:
      a.code === "refused"
        ? "The agent is not registered: introspection refuses connections"
        : "The agent is not registered: introspection has no ContainerInstanceArn",
    value: httpText(a.code),
    source: { kind: "introspection", url: INTROSPECTION_URL, field: "ContainerInstanceArn" },
  };
}

export function versionEvidence(o: Observations): Evidence | undefined {
  const r = o.report;
  if (!o.version) return undefined;
  const label = o.affected
    ? `Agent ${o.version} is affected (1.89.3 to 1.91.0 treat the first 404 as fatal)`
    : o.fixed
      ? `Agent ${o.version} has the fix (1.91.1 or later)`
      : `Agent ${o.version} predates the regression`;
  if (r.agent.version && r.agent.code === 200) {
    return {
      label,
      value: r.agent.version,
      source: { kind: "introspection", url: INTROSPECTION_URL, field: "Version" },
    };
  }
  if (r.logs.started?.version) {
    return logEvidence(
      label,
      r.logs.started,
      LINE_PATTERNS.started,
      `Amazon ECS agent Version: ${r.logs.started.version}`,
    );
  }
  return { label, value: r.ecsInit ?? o.version, source: { kind: "package", name: "ecs-init" } };
}

/** docker.service (and containerd.service when it is down too) as systemd reports them. */
export function dockerEvidence(o: Observations): Evidence[] {
  const out: Evidence[] = [];
  for (const unit of ["docker", "containerd"] as const) {
    const u = o.report.deps?.[unit];
    if (!u?.active) continue;
    const down = u.active === "failed" || u.active === "inactive";
    if (unit === "containerd" && !down) continue;
    const value = [
      u.load && `LoadState=${u.load}`,
      `ActiveState=${u.active}`,
      u.sub && `SubState=${u.sub}`,
      u.result && `Result=${u.result}`,
    ]
      .filter(Boolean)
      .join(" ");
    out.push({
      label: down
        ? `${unit}.service is ${u.active}: the agent runs as a container and cannot start without it`
        : `${unit}.service is ${u.active}`,
      value,
      match: [value.indexOf("ActiveState="), value.indexOf("ActiveState=") + `ActiveState=${u.active}`.length],
      source: { kind: "service", unit, property: "ActiveState" },
    });
  }
  return out;
}

const kib = (n: number) =>
  n >= 1048576 ? `${(n / 1048576).toFixed(1)} GiB` : n >= 1024 ? `${Math.round(n / 1024)} MiB` : `${n} KiB`;

/** One `df -P` figure per full filesystem the agent writes to. */
export function diskEvidence(o: Observations): Evidence[] {
  return o.fullDisks.map((d) => {
    const what = d.use >= 100 ? "no space" : "no inodes";
    const value = `${d.path} on ${d.mount}: ${d.use}% used, ${kib(d.free)} free${d.iuse !== null ? `, inodes ${d.iuse}% used` : ""}`;
    return {
      label: `${d.path} (filesystem ${d.mount}) has ${what} left: the agent cannot save its state or pull images`,
      value,
      match: [0, value.length] as [number, number],
      source: { kind: "probe", field: `disks (df -P ${d.path})` },
    };
  });
}

/** Where the proxy is set and what NO_PROXY misses. */
export function proxyEvidence(o: Observations): Evidence | undefined {
  const p = o.report.proxy;
  if (!p || o.proxyMissing.length === 0) return undefined;
  const where = p.where.map((w) => (w === "config" ? "ecs.config" : "the ecs unit's Environment")).join(" and ");
  const value = `NO_PROXY misses ${o.proxyMissing.join(", ")}`;
  return {
    label: `A proxy (HTTP_PROXY/HTTPS_PROXY) is set in ${where}, and NO_PROXY does not cover the addresses that must bypass it: metadata and credentials requests go to the proxy`,
    value,
    match: [0, value.length],
    source: {
      kind: "config",
      file: p.where.includes("config") ? "/etc/ecs/ecs.config" : "ecs.service",
      key: "NO_PROXY",
    },
  };
}

/** ECS_CLUSTER as the agent reads it: the value and its file and line, or the default. */
export function clusterConfigEvidence(o: Observations, label: string): Evidence {
  const entry = o.report.config.keys.ECS_CLUSTER;
  if (!entry) {
    return {
      label: `${label}: ECS_CLUSTER is not set, so the agent uses the cluster named "default"`,
      value: "(not set: default)",
      source: { kind: "config", file: o.report.config.files.at(-1) ?? "/etc/ecs/ecs.config", key: "ECS_CLUSTER" },
    };
  }
  const file = o.report.config.files[entry[1]] ?? "/etc/ecs/ecs.config";
  const value = `ECS_CLUSTER=${entry[0]}`;
  return {
    label: `${label} (${file}, line ${entry[2]})`,
    value,
    match: [0, value.length],
    source: { kind: "config", file, key: "ECS_CLUSTER" },
  };
}

/** The cluster the agent is configured for (the default when ECS_CLUSTER is unset), trimmed as the agent does. */
export function configuredCluster(o: Observations): string {
  const raw = o.report.config.keys.ECS_CLUSTER?.[0];
  return raw === undefined || raw.trim() === "" ? "default" : raw.trim();
}

/** The last line about the agent's connection to ECS (ACS). */
export function acsEvidence(o: Observations): Evidence | undefined {
  const acs = o.report.logs.acs;
  if (!acs) return undefined;
  const label =
    acs.state === "connected"
      ? "The agent's last ACS line: connected to ECS"
      : acs.state === "failed"
        ? "The agent's last ACS line: it failed to connect to ECS, and has not connected since"
        : acs.state === "idle"
          ? "The agent's last ACS line: the connection to ECS went idle and was closed, and has not come back since"
          : "The agent's last ACS line: the connection to ECS closed, and has not come back since";
  return logEvidence(label, acs, LINE_PATTERNS.acs, undefined, isTailed(o.report, acs.file));
}
