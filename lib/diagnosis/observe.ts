import type { ProbeReport } from "../probe/report-schema.ts";
import { agentVersionOf, isAffectedVersion, isFixedVersion } from "./versions.ts";

/** A `df -P` entry of the report. */
export type DiskEntry = NonNullable<ProbeReport["disks"]>[number];

/**
 * What a probe report says, reduced to the questions the rules ask. Pure: no I/O, no clock.
 */

/** Go's strconv.ParseBool after strings.TrimSpace, as the agent reads ECS_WARM_POOLS_CHECK. */
export function parseGoBool(raw: string | undefined): boolean | "invalid" | undefined {
  if (raw === undefined) return undefined;
  const v = goTrimSpace(raw);
  // An empty value is the default (false) without a warning, as if unset.
  if (v === "") return undefined;
  if (["1", "t", "T", "true", "TRUE", "True"].includes(v)) return true;
  if (["0", "f", "F", "false", "FALSE", "False"].includes(v)) return false;
  return "invalid";
}

/** Go's strings.TrimSpace: Unicode White_Space (unlike String.prototype.trim, not U+FEFF). */
export function goTrimSpace(s: string): string {
  return s.replace(GO_SPACE_START, "").replace(GO_SPACE_END, "");
}
const GO_SPACE = "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const GO_SPACE_START = new RegExp(`^[${GO_SPACE}]+`);
const GO_SPACE_END = new RegExp(`[${GO_SPACE}]+$`);

export type LogItem = { file: string; n: number; t?: string | null; text?: string };

/** Where an agent log item sits in the files read: [file order, line]. Unknown files sort first. */
export function position(report: ProbeReport, item: LogItem | undefined): [number, number] | undefined {
  if (!item) return undefined;
  return [report.logs.files.indexOf(item.file), item.n];
}

/** True when `a` was logged after `b` (both present). */
export function after(report: ProbeReport, a: LogItem | undefined, b: LogItem | undefined): boolean {
  const pa = position(report, a);
  const pb = position(report, b);
  if (!pa || !pb) return false;
  return pa[0] > pb[0] || (pa[0] === pb[0] && pa[1] > pb[1]);
}

export type ImdsView =
  /** IMDS answered the lifecycle path. */
  | { kind: "state"; state: string }
  | { kind: "no-state" }
  /** IMDS could not be read (no answer, or 401 without a token, or another error). */
  | { kind: "unreachable"; why: string };

export type Observations = {
  report: ProbeReport;
  version?: string;
  affected: boolean;
  fixed: boolean;
  /** ECS_WARM_POOLS_CHECK as the agent sees it: on only for a valid true. */
  check: { on: boolean; raw?: string; parsed: boolean | "invalid" | undefined; file?: string; line?: number };
  imds: ImdsView;
  registered: boolean;
  /** The agent process is up, as far as the service manager says (active/activating/reloading). */
  serviceUp: boolean;
  /** The service manager says the agent is down (failed or inactive). */
  serviceDown: boolean;
  /** The lifecycle failure line is the current state, not history. */
  lifecycleCurrent: boolean;
  /** The named failure line is the current state, not history. */
  failureCurrent: boolean;
  /** The last "Waiting for instance to go InService" belongs to the current agent run. */
  waitingCurrent: boolean;
  /**
   * The agent is up, unregistered, the check is on and IMDS does not say InService: it is polling, even when its
   * "Waiting" line has rotated out of the files read (a warmed instance can wait for days).
   */
  waitingInferred: boolean;
  /** ecs-init's last word is a failed agent exit (non-zero code or "retrying"), later than any registration. */
  initFailing: boolean;
  /**
   * Exit 5 is final for this unit: `RestartPreventExitStatus` holds 5 (the rpm's unit), or the probe did not read it
   * (an older probe; the rpm's unit is then assumed). False for the generic deb unit, which systemd restarts every
   * 10 s whatever the exit code.
   */
  exit5Final: boolean;
  /** A Debian/Ubuntu host: the agent came from the deb (dpkg), not the rpm. */
  deb: boolean;
  /** The last ACS line says the connection to ECS is lost (failed, idle, closed), and it belongs to the current run. */
  acsLost: boolean;
  /** docker.service is down (failed or inactive) as systemd says: the agent runs as a container and cannot start. */
  dockerDown: boolean;
  /** The filesystems at 100% (blocks or inodes) among those the agent writes to. */
  fullDisks: DiskEntry[];
  /** The ecs unit is disabled and inactive: nothing starts it at boot. */
  unitDisabled: boolean;
  /** The ecs unit has not run since boot (no start time, no agent start line). */
  neverRan: boolean;
  /**
   * systemd says the ecs unit has not started since this boot (inactive, ExecMainStartTimestamp empty): any agent
   * line in the files is from an earlier boot, so it does not say what the agent would do now.
   */
  notRunThisBoot: boolean;
  /** A proxy is set for the agent and NO_PROXY misses addresses that must bypass it. */
  proxyMissing: string[];
};

const UP = new Set(["active", "activating", "reloading"]);
const DOWN = new Set(["failed", "inactive", "deactivating"]);

export function observe(report: ProbeReport): Observations {
  const version = agentVersionOf(report);
  const checkEntry = report.config.keys.ECS_WARM_POOLS_CHECK;
  const parsed = parseGoBool(checkEntry?.[0]);
  const check = {
    on: parsed === true,
    raw: checkEntry?.[0],
    parsed,
    file: checkEntry ? report.config.files[checkEntry[1]] : undefined,
    line: checkEntry?.[2],
  };

  const { imds } = report;
  let view: ImdsView;
  if (imds.lcCode === 200 && imds.lcState) view = { kind: "state", state: imds.lcState };
  else if (imds.lcCode === 404) view = { kind: "no-state" };
  else if (imds.lcCode === 401) view = { kind: "unreachable", why: "401 Unauthorized (IMDSv2 required and no token)" };
  else if (imds.lcCode === 200) view = { kind: "unreachable", why: "HTTP 200 with an empty body" };
  else if (typeof imds.lcCode === "number") view = { kind: "unreachable", why: `HTTP ${imds.lcCode}` };
  else view = { kind: "unreachable", why: imds.lcCode === "skipped" ? "not asked (out of time)" : imds.lcCode };

  const registered = report.agent.code === 200 && !!report.agent.arn;
  const active = report.service.active ?? undefined;
  const serviceUp = !!active && UP.has(active);
  const serviceDown = !!active && DOWN.has(active);

  const logs = report.logs;
  const { lifecycle, registered: regLine, started, failure, waiting } = logs;
  // A failure is history when the agent registered after it, or when a newer agent run started after it (that run
  // waits, or died for its own reason, which its own lines say).
  const history = (line: LogItem | undefined) => !line || after(report, regLine, line) || after(report, started, line);
  const prevent = report.service.prevent;
  const exit5Final = prevent === undefined || prevent === null ? !report.deb : prevent.split(/[\s,]+/).includes("5");
  // A unit that restarts the agent whatever its exit code (the generic deb unit) starts a new run every 10 s: the
  // newest run may be waiting its five seconds before it dies on the same 404, so an agent that dies on it again and
  // again (an affected version, or the line many times) is still dying on it, whatever run the probe caught.
  const restartLoop404 =
    !exit5Final &&
    lifecycle?.code === 404 &&
    !after(report, regLine, lifecycle) &&
    (isAffectedVersion(version) || lifecycle.count > 1);
  const lifecycleCurrent = !registered && !!lifecycle && (!history(lifecycle) || restartLoop404);

  const init = logs.init;
  const initFailing =
    !registered &&
    !!init &&
    ((init.code !== null && init.code !== 0) || /retrying/i.test(init.text)) &&
    !(regLine?.t && init.t && regLine.t > init.t);
  // Likewise a named failure of an agent that keeps being restarted (ecs-init retrying, or the deb unit): a newer
  // run that has not registered yet is most likely on its way to the same line.
  const failureLoop =
    !!failure &&
    !after(report, regLine, failure) &&
    (initFailing || (!exit5Final && (report.service.restarts ?? 0) > 0));
  const failureCurrent = !registered && !!failure && (!history(failure) || failureLoop);

  const waitingCurrent =
    !registered &&
    !!waiting &&
    !after(report, regLine, waiting) &&
    !after(report, lifecycle, waiting) &&
    !after(report, started, waiting);

  const waitingInferred =
    !registered &&
    serviceUp &&
    check.on &&
    !lifecycleCurrent &&
    !failureCurrent &&
    (view.kind === "no-state" || (view.kind === "state" && view.state !== "InService"));

  const acs = logs.acs;
  const acsLost = !!acs && acs.state !== "connected" && !after(report, started, acs) && !after(report, regLine, acs);

  const docker = report.deps?.docker;
  // Only an installed docker unit that is down: no unit at all (a host that never was an ECS instance) says nothing.
  const dockerDown =
    !!docker?.active && docker.load !== "not-found" && (docker.active === "failed" || docker.active === "inactive");

  const fullDisks = (report.disks ?? []).filter((d) => d.use >= 100 || (d.iuse ?? 0) >= 100);

  const neverRan = !started && !nonEmpty(report.service.started) && !report.service.restarts;
  const unitDisabled = report.service.enabled === "disabled" && !serviceUp;
  const svc = report.service;
  const notRunThisBoot =
    svc.init === "systemd" && svc.active === "inactive" && "started" in svc && !nonEmpty(svc.started) && !svc.restarts;

  const proxy = report.proxy;
  const proxyMissing = proxy && proxy.where.length > 0 ? proxy.missing : [];

  return {
    report,
    version,
    affected: isAffectedVersion(version),
    fixed: isFixedVersion(version),
    check,
    imds: view,
    registered,
    serviceUp,
    serviceDown,
    lifecycleCurrent,
    failureCurrent,
    waitingCurrent,
    waitingInferred,
    initFailing,
    exit5Final,
    deb: !report.ecsInit && !!report.deb,
    acsLost,
    dockerDown,
    fullDisks,
    unitDisabled,
    neverRan,
    notRunThisBoot,
    proxyMissing,
  };
}

/** systemd prints an empty value, or `n/a`, for a timestamp that never happened. */
function nonEmpty(s: string | null | undefined): boolean {
  return !!s && s.trim() !== "" && s.trim() !== "n/a";
}
