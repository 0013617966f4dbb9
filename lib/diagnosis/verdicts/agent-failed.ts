/** agent-failed: the agent is down for a named cause (or exited with none named); its remedies by cause. */
import {
  clusterConfigEvidence,
  configuredCluster,
  diskEvidence,
  dockerEvidence,
  imdsEvidence,
  introspectionEvidence,
  isTailed,
  LINE_PATTERNS,
  logEvidence,
  proxyEvidence,
  serviceEvidence,
  versionEvidence,
} from "../evidence.ts";
import type { ReportCtx } from "../facts.ts";
import type { Observations } from "../observe.ts";
import { remedies } from "../remedies.ts";
import type { AgentFailureCause, Diagnosis, Evidence, Remedy } from "../types.ts";
import { CGROUP_V2_SINCE, DOCKER_API_SINCE, isOlderThan } from "../versions.ts";
import { agentName, compact, errorLineEvidence, initEvidence, lifecycleLineEvidence } from "./shared.ts";

const CAUSE_TEXT: Record<AgentFailureCause, string> = {
  "imds-region": "it could not reach instance metadata to learn its region",
  credentials: "it found no valid AWS credentials",
  registration: "it could not register with the ECS cluster",
  "state-mismatch": "its saved state belongs to another cluster",
  "task-engine": "it could not initialise its task engine from saved state",
  docker: "it could not talk to Docker",
  cgroups: "it could not initialise its cgroup root",
  "cloud-init": "cloud-init failed at boot (user data did not run), and the agent refuses to start on that config",
  "cluster-not-found": "the cluster named in ECS_CLUSTER does not exist",
  "docker-api": "it is too old for this Docker: Docker refuses its API version",
  "disk-full": "a disk it writes to is full",
  "clock-skew": "the instance clock is off, so AWS refuses its signed requests",
  "instance-type": "the instance type changed since it registered",
  "lifecycle-other": "it could not read its lifecycle state from IMDS",
  "docker-down": "Docker is not running (docker.service is down), and the agent runs as a Docker container",
  "unit-disabled": "the ecs unit is disabled, so nothing starts it at boot",
  proxy: "a proxy is set without NO_PROXY, so its metadata and credentials requests go to the proxy",
  exited: "it exited",
};

/** The causes a full disk brings about (the agent cannot save its state or pull): the full disk is the root cause. */
const DISK_CAUSED = new Set<AgentFailureCause>(["task-engine", "docker", "disk-full", "exited"]);
/** The causes a proxy in the way of metadata brings about. */
const PROXY_CAUSED = new Set<AgentFailureCause>(["imds-region", "credentials", "exited"]);

/**
 * The root cause, from the whole report and not only the line the probe named: the line names a symptom, the
 * units, the disks, the proxy settings, the version and ECS name what to fix. `kind` is the probe's failure kind
 * (or "exited" when no line names one).
 */
export function rootCause(c: ReportCtx, kind: AgentFailureCause): AgentFailureCause {
  const { o, ecs } = c;
  const r = o.report;
  const text = r.logs.failure?.kind === kind ? r.logs.failure.text : "";
  if (o.fullDisks.length > 0 && DISK_CAUSED.has(kind)) return "disk-full";
  if (o.proxyMissing.length > 0 && PROXY_CAUSED.has(kind)) return "proxy";
  if (kind === "registration" && (/Cluster not found/i.test(text) || ecs?.clusterMissing)) return "cluster-not-found";
  // Old agents list Docker's API versions and give up when the newest Docker refuses API 1.21.
  if (kind === "docker" && isOlderThan(o.version, DOCKER_API_SINCE) && !o.dockerDown) return "docker-api";
  if (kind === "exited") {
    // No line the probe named: the last error line, ECS and the unit may still say why.
    const err = r.logs.error?.text ?? "";
    for (const k of ["cluster-not-found", "docker-api", "disk-full", "clock-skew", "instance-type"] as const) {
      if (LINE_PATTERNS[k].test(err)) return k;
    }
    if (ecs?.clusterMissing) return "cluster-not-found";
  }
  return kind;
}

function causeRemedies(c: ReportCtx, cause: AgentFailureCause): Remedy[] {
  const { o, membership, ecs } = c;
  const r = o.report;
  switch (cause) {
    case "imds-region":
      return [remedies.checkImds(r.instanceId, "The agent learns its region from IMDS at start.")];
    case "credentials":
      return [remedies.checkCredentials("The agent needs the instance profile's credentials to call ECS.")];
    case "registration":
      return [
        remedies.checkCredentials("Registration needs ecs:RegisterContainerInstance and an existing cluster."),
        remedies.investigate(`Check that cluster ${configuredCluster(o)} exists in this region.`),
      ];
    case "cluster-not-found": {
      const entry = r.config.keys.ECS_CLUSTER;
      const file = entry ? (r.config.files[entry[1]] ?? "/etc/ecs/ecs.config") : "/etc/ecs/ecs.config";
      const name = ecs?.clusterMissing ?? configuredCluster(o);
      return [
        remedies.fixCluster(
          { value: entry ? `ECS_CLUSTER=${entry[0]}` : "unset, so default", file, line: entry?.[2] },
          `ECS has no cluster ${name} in this region; the agent exits on "Cluster not found" (terminal since 1.89.3), so a restart alone fails the same way.`,
        ),
        remedies.createCluster(name, "If the name is right, the cluster is what is missing."),
      ];
    }
    case "state-mismatch":
      return [
        remedies.clearCheckpoint(
          "The saved state names another cluster than ECS_CLUSTER; the agent refuses to start until it is removed (agent.db; older agents ecs_agent_data.json).",
        ),
      ];
    case "task-engine":
      return [
        remedies.investigate("The saved state could not be loaded; the lines before the failure say why."),
        remedies.clearCheckpoint("If the saved state is corrupt, removing it lets the agent start fresh."),
      ];
    case "docker":
      return [
        remedies.checkDocker("The agent runs as a container and needs a working Docker daemon."),
        remedies.investigate(
          "Docker's own log says why it does not answer.",
          "sudo journalctl -u docker -n 50 --no-pager",
        ),
      ];
    case "docker-down":
      return [
        remedies.startDocker(
          "docker.service is down; ecs-init cannot start the agent container until Docker runs, whatever the agent's logs say.",
        ),
        remedies.investigate(
          "If Docker does not stay up, its status and journal say why it failed.",
          "sudo systemctl status docker --no-pager; sudo journalctl -u docker -n 50 --no-pager",
        ),
      ];
    case "docker-api":
      return [
        remedies.upgrade(
          `Agent ${o.version ?? "(this version)"} speaks a Docker API this Docker no longer accepts (\`client version 1.21 is too old\`); agents from ${DOCKER_API_SINCE} negotiate the version.`,
          { min: DOCKER_API_SINCE, report: r },
        ),
      ];
    case "disk-full": {
      const disk = o.fullDisks[0];
      return [
        remedies.freeDisk(
          disk?.path ?? "/var/lib/docker",
          disk
            ? `${disk.path} (filesystem ${disk.mount}) is ${disk.use}% full${disk.iuse !== null && disk.iuse >= 100 ? " of inodes" : ""}: the agent cannot write its state or pull images until space is freed.`
            : "The agent's log says no space is left on a device it writes to.",
        ),
      ];
    }
    case "cgroups":
      return isOlderThan(o.version, CGROUP_V2_SINCE)
        ? [
            remedies.upgrade(
              `Agent ${o.version} predates cgroup v2 support; on this host it cannot create its cgroup root (exit 5).`,
              { min: CGROUP_V2_SINCE, report: r },
            ),
          ]
        : [remedies.investigate("The agent needs the cgroup filesystem it expects.", "mount | grep cgroup")];
    case "cloud-init":
      return [
        remedies.rebootOrReplace(
          r.instanceId,
          membership?.group,
          "cloud-init fell back to no data source (DataSourceNone), so user data (and the ecs.config it writes) never ran; a reboot lets cloud-init find the EC2 data source and run it, a replacement starts clean. `cloud-init status` only confirms the failure.",
        ),
      ];
    case "clock-skew":
      return [
        remedies.syncClock(
          "AWS refuses requests signed with a time too far from its own (`Signature not yet current`); once chrony has set the clock, the agent's calls are accepted.",
        ),
      ];
    case "instance-type":
      return [
        remedies.revertInstanceType(
          r.instanceId,
          "The agent refuses to start on another instance type than the one it registered with (exit 5): revert the type, or launch a new instance. A restart alone fails the same way.",
        ),
      ];
    case "proxy":
      return [
        remedies.setNoProxy(
          `The agent's requests to ${o.proxyMissing.join(", ")} go to the proxy, which cannot reach them; keep any hosts your NO_PROXY already lists.`,
        ),
      ];
    case "unit-disabled":
      return [
        remedies.enableUnit(
          "`systemctl start ecs` alone starts it now and leaves it dead again after the next boot; enabling it makes it start at every boot, --no-block avoids the deadlock with cloud-final when run from user data.",
        ),
      ];
    case "lifecycle-other":
      return [
        remedies.checkImds(r.instanceId, "The agent could not read its lifecycle state from IMDS."),
        remedies.restart(r, "If IMDS answers again, a restart gets past the check."),
      ];
    default:
      return [remedies.investigate("The agent's last lines say why it stopped.")];
  }
}

function summaryOf(c: ReportCtx, cause: AgentFailureCause): string {
  const { o } = c;
  const r = o.report;
  const s = r.service;
  const name = agentName(o);
  switch (cause) {
    case "exited":
      return s.result === "success" && s.active === "inactive"
        ? `The ${name} is stopped (the ecs service was stopped cleanly, not by a failure).`
        : o.initFailing && !o.serviceDown
          ? `The ${name} keeps exiting (ecs-init: ${typeof r.logs.init?.code === "number" ? `exit code ${r.logs.init.code}` : "retrying"}) and its logs name no known cause.`
          : `The ${name} is down (ecs service ${s.active ?? "state unknown"}${s.status !== null && s.status !== undefined ? `, exit status ${s.status}` : ""}) and its logs name no known cause.`;
    case "unit-disabled":
      return `The ${name} ${o.neverRan ? "never ran" : o.notRunThisBoot ? "has not run since this boot" : "is stopped"}: the ecs unit is disabled, so nothing starts it at boot. \`systemctl enable --now --no-block ecs\` starts it now and at every boot; a plain start would leave it dead again after the next one.`;
    case "cluster-not-found":
      return `The ${name} is down because the cluster named in ECS_CLUSTER (${configuredCluster(o)}) does not exist${c.ecs?.clusterMissing ? " (ECS lists no such cluster)" : ""}: fix ECS_CLUSTER or create the cluster; a restart alone fails the same way.`;
    case "docker-down":
      return `The ${name} cannot start because ${CAUSE_TEXT[cause]}: start Docker first, then the agent.`;
    case "disk-full": {
      const d = o.fullDisks[0];
      return d
        ? `The ${name} is down because ${d.path} (filesystem ${d.mount}) is full (${d.use >= 100 ? `${d.use}% of its space` : `${d.iuse}% of its inodes`}): free space there, then restart it.`
        : `The ${name} is down because a disk it writes to is full (\`no space left on device\`): free space, then restart it.`;
    }
    case "docker-api":
      return `The ${name} is down because it is too old for this Docker (\`client version 1.21 is too old\`): upgrade it to ${DOCKER_API_SINCE} or later; a restart alone fails the same way.`;
    case "cgroups":
      return isOlderThan(o.version, CGROUP_V2_SINCE)
        ? `The ${name} is down because it could not initialise its cgroup root: agents before ${CGROUP_V2_SINCE} do not run on cgroup v2; upgrade it.`
        : `The ${name} is down because it could not initialise its cgroup root.`;
    case "state-mismatch": {
      const m = /saved cluster '([^']*)' does not match configured cluster '([^']*)'/.exec(r.logs.failure?.text ?? "");
      return `The ${name} is down because its saved state belongs to another cluster${m ? ` (saved '${m[1]}', configured '${m[2]}')` : ""}: remove the saved state, then start it; a restart alone fails the same way.`;
    }
    case "cloud-init":
      return `The ${name} refuses to start because cloud-init failed at boot and user data did not run: reboot the instance or replace it; a restart alone fails the same way.`;
    case "clock-skew":
      return `The ${name} is down because the instance clock is off, so AWS refuses its signed requests (\`Signature not yet current\`): fix the clock (chrony), then restart it.`;
    case "instance-type":
      return `The ${name} refuses to start because the instance type changed since it registered: revert the type or launch a new instance; a restart alone fails the same way.`;
    case "proxy":
      return `The ${name} is down because a proxy is set for it and NO_PROXY misses ${o.proxyMissing.join(", ")}: its metadata and credentials requests go to the proxy. Add the NO_PROXY line, then restart it.`;
    default:
      return `The ${name} is down because ${CAUSE_TEXT[cause]}.`;
  }
}

/** The line that names the cause: the probe's failure line when it names this cause, else the last error line. */
function leadEvidence(o: Observations, cause: AgentFailureCause): Evidence | undefined {
  const r = o.report;
  const failure = r.logs.failure;
  if (cause === "lifecycle-other") {
    return lifecycleLineEvidence(o, "The agent's fatal line: it could not read its lifecycle state");
  }
  if (!failure) return undefined;
  const pattern = LINE_PATTERNS[(failure.kind === cause ? cause : failure.kind) as keyof typeof LINE_PATTERNS];
  const label =
    failure.kind === cause ? `The agent's failure line (${cause})` : `The agent's failure line (${failure.kind})`;
  return logEvidence(label, failure, pattern, undefined, isTailed(r, failure.file));
}

/** The last error line, when it names the cause and no failure line did (older probes, or a line the probe missed). */
function errorCauseEvidence(o: Observations, cause: AgentFailureCause): Evidence | undefined {
  const err = o.report.logs.error;
  const pattern = LINE_PATTERNS[cause as keyof typeof LINE_PATTERNS];
  if (!err || !pattern?.test(err.text)) return undefined;
  return logEvidence(`The agent's last error line (${cause})`, err, pattern, undefined, isTailed(o.report, err.file));
}

export function agentFailed(c: ReportCtx, named: AgentFailureCause): Diagnosis {
  const cause = rootCause(c, named);
  const { o } = c;
  const r = o.report;
  const lead = leadEvidence(o, cause);
  const errLead = !lead || r.logs.failure?.kind !== cause ? errorCauseEvidence(o, cause) : undefined;
  const err = r.logs.error;
  const failure = r.logs.failure;
  const errSame = !!err && !!failure && err.file === failure.file && err.n === failure.n;
  const stoppedCleanly = cause === "exited" && r.service.result === "success" && r.service.active === "inactive";
  const rem = stoppedCleanly
    ? [
        {
          ...remedies.restart(r, "Nothing in the logs says it failed: someone or something stopped it."),
          command: r.service.init === "upstart" ? "sudo start ecs" : "sudo systemctl start ecs",
          automated: false,
        },
      ]
    : causeRemedies(c, cause);
  const causeEvidence: (Evidence | undefined | false)[] =
    cause === "docker-down"
      ? dockerEvidence(o)
      : cause === "disk-full"
        ? diskEvidence(o)
        : cause === "proxy"
          ? [proxyEvidence(o)]
          : cause === "cluster-not-found" || cause === "state-mismatch" || cause === "registration"
            ? [clusterConfigEvidence(o, "The cluster the agent is configured for")]
            : [];
  return {
    verdict: "agent-failed",
    cause,
    summary: summaryOf(c, cause),
    evidence: compact<Evidence>([
      // The unit, disk and proxy facts lead when they are the cause: the log line is only the symptom.
      ...(cause === "docker-down" || cause === "disk-full" || cause === "proxy" ? causeEvidence : []),
      lead,
      errLead,
      ...(cause === "docker-down" || cause === "disk-full" || cause === "proxy" ? [] : causeEvidence),
      !errSame && !errLead && errorLineEvidence(o),
      serviceEvidence(o),
      initEvidence(o),
      introspectionEvidence(r),
      cause === "lifecycle-other" && imdsEvidence(o),
      versionEvidence(o),
    ]),
    remedies: rem,
    // None of these clears with a plain restart: each needs its fix first (Docker started, ECS_CLUSTER fixed, space
    // freed, the unit enabled...). For a disabled unit a restart would start the agent now, but not at the next
    // boot, so it is not called a fix.
    restartWillWork: false,
  };
}
