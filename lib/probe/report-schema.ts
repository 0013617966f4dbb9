import { z } from "zod";
import { FAILURE_KINDS } from "./failure-kinds.ts";

/**
 * The probe report: the one line of JSON that `probe.sh` prints on an instance (schema 1). See lib/probe/README.md
 * for a sample and the meaning of every field. Everything in it came from an instance and is untrusted: strings are
 * capped here too, so a hostile report cannot blow up the store or the page.
 *
 * Forward compatible: unknown keys are dropped, not rejected; most fields are optional so that a probe that ran out
 * of time (or an older probe) still gives a usable report.
 */

const str = (max: number) => z.string().max(max);

/** An HTTP exchange's result: the status code, or why there was none. */
export const httpResultSchema = z.union([
  z.number().int().min(0).max(999),
  z.enum(["timeout", "refused", "error", "skipped"]),
]);
export type HttpResult = z.infer<typeof httpResultSchema>;

/** Where a log line was found: file name (basename in /var/log/ecs), line number in it (or in its tail), time. */
const logPlace = {
  file: str(64),
  /** 1-based line number; counted from the start of the part read when the file is listed in `logs.tailed`. */
  n: z.number().int().min(0),
  /** The time written on the line (RFC 3339 as logged), when it has one. */
  t: str(40).nullish(),
};

/** A log line, escaped and capped by the probe (a cut line ends with `…`). */
const logLine = z.object({ ...logPlace, text: str(400) });

/** A systemd unit's state as `systemctl show` prints it (LoadState, ActiveState, SubState, Result). */
const unitState = z.object({
  load: str(40).nullish(),
  active: str(40).nullish(),
  sub: str(40).nullish(),
  result: str(40).nullish(),
});

/** ACS (the agent's connection to the ECS control plane) as its last line says: connected, or lost and how. */
export const ACS_STATES = ["connected", "failed", "idle", "closed"] as const;

/** The filesystems the agent writes to: `df -P` of these paths. */
export const DISK_PATHS = ["/", "/var/lib/docker", "/var/lib/ecs"] as const;

export const probeReportSchema = z.object({
  schema: z.literal(1),
  /** When the probe ran, UTC, from the instance clock. */
  at: str(40),
  /** Wall time the probe took, milliseconds. */
  ms: z.number().int().min(0).nullish(),
  /** The instance id as IMDS reports it; null when IMDS did not answer. */
  instanceId: str(32).nullable(),
  imds: z.object({
    /** IMDSv2 token request: "ok", the HTTP code it got, or why it got none (then v1 is tried). */
    token: z.union([z.literal("ok"), httpResultSchema]),
    /** GET latest/meta-data/instance-id. */
    idCode: httpResultSchema,
    /** GET latest/meta-data/autoscaling/target-lifecycle-state: 404 = no state published (not in a group). */
    lcCode: httpResultSchema,
    /** The body when lcCode is 200: InService, Warmed:Stopped, Pending, ... */
    lcState: str(48).nullable(),
  }),
  config: z.object({
    /** The ecs.config files that exist, in the order ecs-init reads them (later ones win). */
    files: z.array(str(64)).max(4),
    /** Allowlisted keys: [value as ecs-init passes it (untrimmed, unquoted), index in `files`, line number]. */
    keys: z.record(str(48), z.tuple([str(80), z.number().int().min(0), z.number().int().min(0)])),
    /** How many other keys were set (never shown: they may hold secrets). */
    other: z.number().int().min(0),
    /** Allowlisted keys written in a form ecs-init does not recognise (`KEY = v`, lower case, `export KEY=`). */
    odd: z.array(str(48)).max(8).optional(),
  }),
  service: z.object({
    init: z.enum(["systemd", "upstart", "unknown"]),
    /** systemctl show ecs: LoadState, ActiveState, SubState, Result (strings as systemd prints them). */
    load: str(40).nullish(),
    active: str(40).nullish(),
    sub: str(40).nullish(),
    result: str(40).nullish(),
    /** ExecMainStatus: the agent's (ecs-init's) last exit status; 5 = terminal, systemd will not restart. */
    status: z.number().int().nullish(),
    restarts: z.number().int().nullish(),
    /** ExecMainStartTimestamp, ExecMainExitTimestamp, StateChangeTimestamp as systemd prints them. */
    started: str(48).nullish(),
    exited: str(48).nullish(),
    changed: str(48).nullish(),
    /** UnitFileState: enabled, disabled, static, masked... ("disabled" and never ran: dead again after a reboot). */
    enabled: str(24).nullish(),
    /** FragmentPath: the unit file in use (/usr/lib/systemd/system/ecs.service from the rpm; the deb's elsewhere). */
    unit: str(120).nullish(),
    /**
     * RestartPreventExitStatus as systemd prints it: "5" in the rpm's unit (exit 5 is final); "" in the generic
     * deb's unit, where systemd restarts the agent every 10 s whatever its exit code.
     */
    prevent: str(40).nullish(),
  }),
  /** `rpm -q ecs-init`, e.g. ecs-init-1.89.3-1.amzn2023.x86_64; null when not installed or no rpm. */
  ecsInit: str(80).nullable(),
  /** `dpkg-query -W -f '${Version}' ecs-init` on hosts without rpm (Debian, Ubuntu), e.g. 1.89.3-1; else absent. */
  deb: str(40).nullish(),
  /** The units the agent needs, `systemctl show docker containerd`; absent when not read (older probe, no systemd). */
  deps: z.object({ docker: unitState.optional(), containerd: unitState.optional() }).optional(),
  /**
   * `df -P` (KiB, then inodes) for each of DISK_PATHS that exists: the path, its mount point, free KiB, and the
   * used percentages of blocks and inodes (inodes null where the filesystem has none to count).
   */
  disks: z
    .array(
      z.object({
        path: str(32),
        mount: str(64),
        free: z.number().int().min(0),
        use: z.number().int().min(0).max(100),
        iuse: z.number().int().min(0).max(100).nullable(),
      }),
    )
    .max(3)
    .optional(),
  /**
   * A proxy in the agent's environment (HTTP_PROXY or HTTPS_PROXY, any case, in ecs.config or the unit's
   * Environment): where it is set, and which of the addresses that must bypass it NO_PROXY does not cover
   * (169.254.169.254, 169.254.170.2, /var/run/docker.sock). Values are never reported: they may carry credentials.
   */
  proxy: z
    .object({
      where: z.array(z.enum(["config", "unit"])).max(2),
      missing: z.array(str(40)).max(4),
    })
    .optional(),
  /** Introspection GET /v1/metadata: only answers once the agent has registered. */
  agent: z.object({
    code: httpResultSchema,
    cluster: str(128).nullish(),
    arn: str(200).nullish(),
    /** e.g. "Amazon ECS Agent - v1.89.3 (fb1fb409)". */
    version: str(80).nullish(),
  }),
  logs: z.object({
    /** Log files read, oldest first (agent files, then ecs-init files). */
    files: z.array(str(64)).max(8),
    /** Files of which only the last part was read (too big). */
    tailed: z.array(str(64)).max(8).optional(),
    /** Last `Could not determine target lifecycle of instance: ... StatusCode: N` line, its code, and how many. */
    lifecycle: logLine.extend({ code: z.number().int().nullable(), count: z.number().int().min(1) }).optional(),
    /** Last `Waiting for instance to go InService`. */
    waiting: z.object(logPlace).optional(),
    /** Last registration success: `Instance registration completed successfully` or `Restored from checkpoint file`. */
    registered: logLine.optional(),
    /** Last agent start (`Amazon ECS agent Version: X, Commit: Y`) and the version it names. */
    started: z.object({ ...logPlace, version: str(32).nullish() }).optional(),
    /** Last critical/error line that is neither the lifecycle line nor health-check noise. */
    error: logLine.optional(),
    /** Last line naming one of the known startup failures (facts/ecs-agent.md), and which. */
    failure: logLine.extend({ kind: z.enum(FAILURE_KINDS) }).optional(),
    /**
     * The last line about the agent's connection to ECS (ACS): `Connected to ACS endpoint` (connected), `Failed to
     * connect to ACS` (failed), `ACS Connection hasn't had any activity for too long; closing connection` (idle),
     * `ACS WebSocket connection closed` (closed).
     */
    acs: logLine.extend({ state: z.enum(ACS_STATES) }).optional(),
    /** ecs-init's last word on the agent's exit (`Agent exited with code N`, `terminal exit code`, `retrying`). */
    init: logLine.extend({ code: z.number().int().nullable() }).optional(),
  }),
  os: z.object({
    id: str(32).nullish(),
    version: str(32).nullish(),
    /** Boot time, UTC, from /proc/stat btime. */
    boot: str(40).nullish(),
  }),
  /** Steps the probe skipped or cut short to stay within its time budget, e.g. ["agent", "logs"]. */
  skipped: z.array(str(32)).max(16).optional(),
});

export type ProbeReport = z.infer<typeof probeReportSchema>;
export type ProbeLogs = ProbeReport["logs"];
export type { FailureKind } from "./failure-kinds.ts";

/** The second line of probe.sh, by which the simulator recognises the script. */
export const PROBE_MARKER = "# fleet-doctor-probe schema=1";
/** The most a report line may take (ListCommandInvocations keeps 2,500 characters of Output, stderr included). */
export const MAX_REPORT_BYTES = 2400;
