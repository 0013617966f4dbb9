import type { ProbeReport } from "../probe/report-schema.ts";
import {
  checkEvidence,
  imdsEvidence,
  introspectionEvidence,
  isTailed,
  LINE_PATTERNS,
  logEvidence,
  serviceEvidence,
  tokenEvidence,
  versionEvidence,
} from "./evidence.ts";
import type { Observations } from "./observe.ts";
import { remedies, restartCommand } from "./remedies.ts";
import type { AgentFailureCause, Diagnosis, Evidence, Remedy } from "./types.ts";
import { FIRST_FIXED } from "./versions.ts";

/**
 * The rules, in order: the first whose `when` holds gives the diagnosis. Two tables: what SSM said (when there is
 * no usable report) and what the report says. Pure functions of the facts.
 */

export type Membership = { group: string; lifecycleState: string; inWarmPool?: boolean };
export type SsmFacts = {
  pingStatus?: string;
  status?: string;
  statusDetails?: string;
  responseCode?: number;
  output?: string;
};
export type ProbeFacts = { ok: true; report: ProbeReport } | { ok: false; error: string } | undefined;

export type Rule<C> = { id: string; when: (c: C) => boolean; verdictOf: (c: C) => Diagnosis };

const compact = <T>(xs: (T | undefined | false | null)[]): T[] => xs.filter((x): x is T => !!x);
const norm = (s: string | undefined) => (s ?? "").replace(/[\s_-]+/g, "");

// ---------------------------------------------------------------------------------------------------------------
// SSM-level rules: the probe did not give a usable report.

export type SsmCtx = { probe: ProbeFacts; ssm: SsmFacts };

const UNDELIVERED = new Set(["Undeliverable", "DeliveryTimedOut"]);
const OFFLINE = new Set(["ConnectionLost", "Inactive"]);

function ssmEvidence(ssm: SsmFacts): Evidence[] {
  return compact<Evidence>([
    !!ssm.pingStatus && {
      label: "SSM's last word on the instance's agent",
      value: ssm.pingStatus,
      source: { kind: "api", api: "ssm:DescribeInstanceInformation", field: "PingStatus" },
    },
    !!(ssm.status || ssm.statusDetails) && {
      label: "Outcome of the probe command",
      value: [ssm.status, ssm.statusDetails].filter(Boolean).join(" / "),
      source: { kind: "api", api: "ssm:ListCommandInvocations", field: "StatusDetails" },
    },
    ssm.responseCode !== undefined &&
      ssm.responseCode !== -1 && {
        label: "Exit code of the probe",
        value: String(ssm.responseCode),
        source: { kind: "api", api: "ssm:ListCommandInvocations", field: "ResponseCode" },
      },
  ]);
}

export const SSM_RULES: Rule<SsmCtx>[] = [
  {
    id: "ssm-unreachable",
    when: ({ probe, ssm }) =>
      UNDELIVERED.has(norm(ssm.statusDetails)) || (!probe?.ok && OFFLINE.has(norm(ssm.pingStatus))),
    verdictOf: ({ ssm }) => ({
      verdict: "ssm-unreachable",
      summary: `SSM could not deliver the probe (${norm(ssm.statusDetails) || norm(ssm.pingStatus)}): the instance's SSM agent is offline or unreachable, so nothing is known about its ECS agent.`,
      evidence: ssmEvidence(ssm),
      remedies: [remedies.checkSsm("The SSM agent must be online before Fleet Doctor can look inside the instance.")],
      restartWillWork: false,
    }),
  },
  {
    id: "probe-failed",
    when: ({ probe, ssm }) =>
      probe?.ok === false ||
      (probe === undefined &&
        ["Failed", "TimedOut", "Cancelled", "ExecutionTimedOut", "Terminated", "AccessDenied", "InvalidPlatform"].some(
          (s) => norm(ssm.status) === s || norm(ssm.statusDetails) === s,
        )),
    verdictOf: ({ probe, ssm }) => {
      const error =
        probe?.ok === false ? probe.error : `the command ended ${norm(ssm.statusDetails) || norm(ssm.status)}`;
      return {
        verdict: "probe-failed",
        summary: `The probe ran but gave no usable report: ${error}.`,
        evidence: [
          { label: "Why the probe output was not usable", value: error, source: { kind: "probe", field: "output" } },
          ...ssmEvidence(ssm),
          ...(ssm.output
            ? [
                {
                  label: "The start of what the probe printed",
                  value: ssm.output.slice(0, 300),
                  source: { kind: "api" as const, api: "ssm:ListCommandInvocations", field: "CommandPlugins.Output" },
                },
              ]
            : []),
        ],
        remedies: [
          remedies.investigate(
            "Scan again; if it fails again, read the command's output in the SSM console or run the probe by hand.",
            "aws ssm list-command-invocations --details --instance-id <instance-id> --max-items 1",
          ),
        ],
        restartWillWork: false,
      };
    },
  },
  {
    id: "not-probed",
    when: ({ probe }) => probe === undefined,
    verdictOf: ({ ssm }) => ({
      verdict: "unknown",
      summary: "The instance has not been probed yet, so nothing is known about its ECS agent.",
      evidence: ssmEvidence(ssm),
      remedies: [remedies.investigate("Scan the instance.", "npx fleet-doctor scan")],
      restartWillWork: false,
    }),
  },
];

// ---------------------------------------------------------------------------------------------------------------
// Report-level rules.

export type ReportCtx = { o: Observations; membership?: Membership };

function membershipEvidence(m: Membership | undefined): Evidence | undefined {
  if (!m) return undefined;
  return {
    label: m.inWarmPool ? `In the warm pool of group ${m.group}` : `In Auto Scaling group ${m.group}`,
    value: m.lifecycleState,
    source: { kind: "api", api: "autoscaling:DescribeAutoScalingInstances", field: "LifecycleState" },
  };
}

function lifecycleLineEvidence(o: Observations, label: string): Evidence | undefined {
  const lc = o.report.logs.lifecycle;
  if (!lc) return undefined;
  const count = lc.count > 1 ? ` (${lc.count} such lines in the files read)` : "";
  return logEvidence(`${label}${count}`, lc, LINE_PATTERNS.lifecycle, undefined, isTailed(o.report, lc.file));
}

function initEvidence(o: Observations): Evidence | undefined {
  const init = o.report.logs.init;
  if (!init) return undefined;
  const label =
    init.code === 5
      ? "ecs-init saw the agent exit with the terminal code 5 and stopped retrying"
      : init.code !== null
        ? `ecs-init saw the agent exit with code ${init.code}`
        : "ecs-init reports the agent failing to start";
  return logEvidence(label, init, LINE_PATTERNS.init, undefined, isTailed(o.report, init.file));
}

function errorLineEvidence(o: Observations): Evidence | undefined {
  const err = o.report.logs.error;
  if (!err) return undefined;
  return logEvidence("The agent's last error line", err, LINE_PATTERNS.error, undefined, isTailed(o.report, err.file));
}

const when = (t: string | null | undefined) => (t ? ` at ${t}` : "");
const agentName = (o: Observations) => (o.version ? `ECS agent ${o.version}` : "ECS agent");

/** The check is off now (someone set it false, or wrote it so the agent ignores it): a restart skips the wait. */
const checkNowOff = (o: Observations) => !o.check.on;

function lifecycle404(c: ReportCtx): Diagnosis {
  const { o, membership } = c;
  const r = o.report;
  const lc = r.logs.lifecycle!;
  const state = o.imds.kind === "state" ? o.imds.state : undefined;
  const id = r.instanceId;
  const group = membership?.group;
  const died = `The ${agentName(o)} died on the lifecycle 404${when(lc.t)}`;
  const evidence = compact<Evidence>([
    lifecycleLineEvidence(
      o,
      "The agent's fatal line: IMDS had no lifecycle state and the agent treated the 404 as fatal",
    ),
    imdsEvidence(o),
    serviceEvidence(r),
    initEvidence(o),
    introspectionEvidence(r),
    checkEvidence(o),
    versionEvidence(o),
    membershipEvidence(membership),
  ]);
  const upgrade =
    o.affected &&
    remedies.upgrade(`Agent ${o.version} treats the first 404 as fatal; ${FIRST_FIXED} waits for the group instead.`);

  if (state === "InService") {
    return {
      verdict: "lifecycle-404:ready",
      summary: `${died}; IMDS now answers InService, so \`${restartCommand(r)}\` will bring it up.`,
      evidence,
      remedies: compact<Remedy>([
        remedies.restart(r, "The group has published InService, so the agent's check passes on the next start."),
        upgrade,
      ]),
      restartWillWork: true,
    };
  }

  const off = checkNowOff(o);
  const offRemedy =
    off &&
    remedies.restart(
      r,
      "ECS_WARM_POOLS_CHECK is off in ecs.config now, so the next start skips the lifecycle check and registers.",
    );
  if (state?.startsWith("Warmed:")) {
    return {
      verdict: "lifecycle-404:warmed",
      summary: off
        ? `${died}; the instance is now in the warm pool (${state}), but the check is off now, so a restart will register it.`
        : `${died}; the instance is now in the warm pool (${state}), so a restarted agent would only wait until scale-out.`,
      evidence,
      remedies: compact<Remedy>([
        offRemedy,
        !off &&
          remedies.waitForScaleOut(
            "A warmed instance is meant to stay out of the cluster; restart it when the group moves it to InService.",
          ),
        upgrade,
      ]),
      restartWillWork: off,
    };
  }

  if (state !== undefined) {
    // A published state other than InService: a restarted agent would not die, it would wait for InService.
    return {
      verdict: "lifecycle-404:blocked",
      summary: off
        ? `${died}; IMDS now answers ${state}, but the check is off now, so a restart will register it.`
        : `${died}; IMDS now answers ${state}, not InService, so a restarted agent would only wait: restart once the group moves it to InService.`,
      evidence,
      remedies: compact<Remedy>([
        offRemedy,
        !off &&
          remedies.waitForScaleOut(
            `The group has the instance in ${state}; once IMDS answers InService, \`${restartCommand(r)}\` succeeds.`,
          ),
        !off &&
          remedies.disableCheck(r, "Without the check the agent registers at once, whatever the lifecycle state."),
        upgrade,
      ]),
      restartWillWork: off,
    };
  }
  const where =
    o.imds.kind === "no-state"
      ? "IMDS still has no lifecycle state (404): the instance is not in an Auto Scaling group"
      : "IMDS gives no lifecycle state";
  return {
    verdict: "lifecycle-404:blocked",
    summary: off
      ? `${died}; ${where}, but the check is off now, so a restart will register it.`
      : `${died}; ${where}, so a restart would ${o.affected ? "fail again" : "wait up to two hours, then fail"}: attach it to its group, turn the check off, or upgrade.`,
    evidence,
    remedies: compact<Remedy>([
      offRemedy,
      !off &&
        (membership
          ? remedies.investigate(
              `Auto Scaling lists it in ${membership.group} (${membership.lifecycleState}) but IMDS has no lifecycle state: are the group's processes suspended? Once IMDS answers InService a restart passes the check.`,
              `aws autoscaling describe-auto-scaling-groups --auto-scaling-group-names ${membership.group} --query 'AutoScalingGroups[].SuspendedProcesses'`,
            )
          : remedies.attach(
              id,
              group,
              "Once the group publishes InService for the instance, a restart passes the check.",
            )),
      !off &&
        remedies.disableCheck(
          r,
          "The check is meant only for instances launched by an Auto Scaling group with a warm pool.",
        ),
      upgrade,
    ]),
    restartWillWork: off,
  };
}

const CAUSE_TEXT: Record<AgentFailureCause, string> = {
  "imds-region": "it could not reach instance metadata to learn its region",
  credentials: "it found no valid AWS credentials",
  registration: "it could not register with the ECS cluster",
  "state-mismatch": "its saved state belongs to another cluster",
  "task-engine": "it could not initialise its task engine from saved state",
  docker: "it could not talk to Docker",
  cgroups: "it could not initialise its cgroup root",
  "cloud-init": "cloud-init failed, so user data (and the config) may not have been applied",
  "lifecycle-other": "it could not read its lifecycle state from IMDS",
  exited: "it exited",
};

function causeRemedies(cause: AgentFailureCause, o: Observations): Remedy[] {
  const r = o.report;
  switch (cause) {
    case "imds-region":
      return [remedies.checkImds(r.instanceId, "The agent learns its region from IMDS at start.")];
    case "credentials":
      return [remedies.checkCredentials("The agent needs the instance profile's credentials to call ECS.")];
    case "registration":
      return [
        remedies.checkCredentials("Registration needs ecs:RegisterContainerInstance and an existing cluster."),
        remedies.investigate(
          `Check that cluster ${r.config.keys.ECS_CLUSTER?.[0] ?? "default"} exists in this region.`,
        ),
      ];
    case "state-mismatch":
      return [
        remedies.clearCheckpoint("The checkpoint names another cluster than ECS_CLUSTER; the agent refuses to start."),
      ];
    case "task-engine":
      return [
        remedies.investigate("The saved state could not be loaded; the lines before the failure say why."),
        remedies.clearCheckpoint("If the saved state is corrupt, removing it lets the agent start fresh."),
      ];
    case "docker":
      return [remedies.checkDocker("The agent runs as a container and needs a working Docker daemon.")];
    case "cgroups":
      return [remedies.investigate("The agent needs the cgroup filesystem it expects.", "mount | grep cgroup")];
    case "cloud-init":
      return [remedies.investigate("User data did not run at boot.", "sudo cloud-init status --long")];
    case "lifecycle-other":
      return [
        remedies.checkImds(r.instanceId, "The agent could not read its lifecycle state from IMDS."),
        remedies.restart(r, "If IMDS answers again, a restart gets past the check."),
      ];
    default:
      return [remedies.investigate("The agent's last lines say why it stopped.")];
  }
}

function agentFailed(c: ReportCtx, cause: AgentFailureCause): Diagnosis {
  const { o } = c;
  const r = o.report;
  const failure = r.logs.failure;
  const lead: Evidence | undefined =
    cause === "lifecycle-other"
      ? lifecycleLineEvidence(o, "The agent's fatal line: it could not read its lifecycle state")
      : failure && failure.kind === cause
        ? logEvidence(
            `The agent's failure line (${cause})`,
            failure,
            LINE_PATTERNS[cause as keyof typeof LINE_PATTERNS],
            undefined,
            isTailed(r, failure.file),
          )
        : undefined;
  const err = r.logs.error;
  const errSame = err && failure && err.file === failure.file && err.n === failure.n;
  let summary = `The ${agentName(o)} is down because ${CAUSE_TEXT[cause]}.`;
  if (cause === "exited") {
    const s = r.service;
    summary =
      s.result === "success" && s.active === "inactive"
        ? `The ${agentName(o)} is stopped (the ecs service was stopped cleanly, not by a failure).`
        : o.initFailing && !o.serviceDown
          ? `The ${agentName(o)} keeps exiting (ecs-init: ${typeof r.logs.init?.code === "number" ? `exit code ${r.logs.init.code}` : "retrying"}) and its logs name no known cause.`
          : `The ${agentName(o)} is down (ecs service ${s.active ?? "state unknown"}${s.status !== null && s.status !== undefined ? `, exit status ${s.status}` : ""}) and its logs name no known cause.`;
  }
  const rem =
    cause === "exited" && r.service.result === "success" && r.service.active === "inactive"
      ? [
          {
            ...remedies.restart(r, "Nothing in the logs says it failed: someone or something stopped it."),
            command: r.service.init === "upstart" ? "sudo start ecs" : "sudo systemctl start ecs",
            automated: false,
          },
        ]
      : causeRemedies(cause, o);
  return {
    verdict: "agent-failed",
    cause,
    summary,
    evidence: compact<Evidence>([
      lead,
      !errSame && errorLineEvidence(o),
      serviceEvidence(r),
      initEvidence(o),
      introspectionEvidence(r),
      cause === "lifecycle-other" && imdsEvidence(o),
      versionEvidence(o),
    ]),
    remedies: rem,
    restartWillWork: false,
  };
}

export const REPORT_RULES: Rule<ReportCtx>[] = [
  {
    id: "at-risk",
    when: ({ o }) => o.registered && o.check.on && o.affected && o.imds.kind === "no-state",
    verdictOf: ({ o, membership }) => ({
      verdict: "at-risk",
      summary: `The ${agentName(o)} is registered now, but with the warm-pool check on and no lifecycle state in IMDS its next start will die on the 404.`,
      evidence: compact<Evidence>([
        introspectionEvidence(o.report),
        checkEvidence(o),
        versionEvidence(o),
        imdsEvidence(o),
        membershipEvidence(membership),
      ]),
      remedies: compact<Remedy>([
        remedies.upgrade(`Agent ${o.version} treats the first 404 as fatal.`),
        {
          ...remedies.disableCheck(
            o.report,
            "The check is meant only for instances launched by a group with a warm pool.",
          ),
          // No restart needed now: the line takes effect at the next start, which is the one at risk.
          command: "echo 'ECS_WARM_POOLS_CHECK=false' | sudo tee -a /etc/ecs/ecs.config",
        },
        !membership &&
          remedies.attach(o.report.instanceId, undefined, "With a lifecycle state published the check passes."),
      ]),
      restartWillWork: false,
    }),
  },
  {
    id: "healthy",
    when: ({ o }) => o.registered,
    verdictOf: ({ o }) => {
      const cluster = o.report.agent.cluster;
      return {
        verdict: "healthy",
        summary: `The ${agentName(o)} is running and registered${cluster ? ` in cluster ${cluster}` : ""}.`,
        evidence: compact<Evidence>([
          introspectionEvidence(o.report),
          versionEvidence(o),
          serviceEvidence(o.report),
          o.check.on && imdsEvidence(o),
          o.check.on && o.affected && checkEvidence(o),
        ]),
        // Registered now (it started in its group), but an affected agent with the check on dies again on the
        // next boot that comes before the group publishes a lifecycle state: the upgrade stays advised.
        remedies:
          o.check.on && o.affected
            ? [
                remedies.upgrade(
                  `Agent ${o.version} treats the first lifecycle 404 as fatal: its next boot, before the group publishes a lifecycle state, fails again.`,
                ),
              ]
            : [],
        restartWillWork: false,
      };
    },
  },
  {
    id: "imds-unreachable",
    when: ({ o }) => o.imds.kind === "unreachable",
    verdictOf: ({ o }) => ({
      verdict: "imds-unreachable",
      summary: `The probe could not read instance metadata (${o.imds.kind === "unreachable" ? o.imds.why : ""}), so whether the agent can start cannot be judged; the agent needs IMDS too.`,
      evidence: compact<Evidence>([
        tokenEvidence(o.report),
        imdsEvidence(o),
        o.lifecycleCurrent && lifecycleLineEvidence(o, "The agent's fatal lifecycle line"),
        o.failureCurrent &&
          o.report.logs.failure &&
          logEvidence(`The agent's failure line (${o.report.logs.failure.kind})`, o.report.logs.failure),
        serviceEvidence(o.report),
        introspectionEvidence(o.report),
      ]),
      remedies: [remedies.checkImds(o.report.instanceId, "Both the agent and the probe need instance metadata.")],
      restartWillWork: false,
    }),
  },
  {
    id: "lifecycle-404",
    when: ({ o }) => o.lifecycleCurrent && o.report.logs.lifecycle?.code === 404,
    verdictOf: lifecycle404,
  },
  {
    id: "lifecycle-other",
    when: ({ o }) => o.lifecycleCurrent,
    verdictOf: (c) => agentFailed(c, "lifecycle-other"),
  },
  {
    id: "named-failure",
    when: ({ o }) => o.failureCurrent,
    verdictOf: (c) => agentFailed(c, c.o.report.logs.failure!.kind),
  },
  {
    id: "waiting",
    when: ({ o }) => (o.waitingCurrent && !o.serviceDown) || o.waitingInferred,
    verdictOf: ({ o, membership }) => {
      const r = o.report;
      const state = o.imds.kind === "state" ? o.imds.state : o.imds.kind === "no-state" ? "no state (404)" : "unknown";
      const warm = o.imds.kind === "state" && o.imds.state.startsWith("Warmed:");
      return {
        verdict: "waiting",
        summary: `The ${agentName(o)} is alive and polling IMDS for InService before it registers (IMDS now: ${state}).`,
        evidence: compact<Evidence>([
          o.waitingCurrent && r.logs.waiting
            ? logEvidence(
                "The agent is waiting for the lifecycle state",
                r.logs.waiting,
                LINE_PATTERNS.waiting,
                "Waiting for instance to go InService",
                isTailed(r, r.logs.waiting.file),
              )
            : {
                label:
                  "No current 'Waiting for instance to go InService' line in the files read (it may have rotated out); the agent is up, unregistered, with the check on",
                value: r.logs.files.join(", ") || "(no agent log files)",
                source: { kind: "log" as const, file: "/var/log/ecs/ecs-agent.log" },
              },
          imdsEvidence(o),
          serviceEvidence(r),
          introspectionEvidence(r),
          checkEvidence(o),
          versionEvidence(o),
          membershipEvidence(membership),
        ]),
        remedies: warm
          ? [remedies.waitForScaleOut("A warmed instance registers when the group moves it to InService.")]
          : compact<Remedy>([
              o.imds.kind === "no-state" &&
                !membership &&
                remedies.attach(
                  r.instanceId,
                  undefined,
                  "The agent registers as soon as the group publishes InService.",
                ),
              remedies.disableCheck(r, "Without the check the agent registers at once."),
            ]),
        restartWillWork: false,
      };
    },
  },
  {
    id: "not-installed",
    when: ({ o }) =>
      o.report.service.load === "not-found" ||
      (o.report.ecsInit === null && o.report.service.init !== "upstart" && !o.report.service.active),
    verdictOf: ({ o }) => ({
      verdict: "unknown",
      summary: "No ECS agent service was found on this instance (ecs-init not installed, no ecs unit).",
      evidence: compact<Evidence>([
        serviceEvidence(o.report),
        {
          label: "rpm -q ecs-init",
          value: o.report.ecsInit ?? "not installed",
          source: { kind: "package", name: "ecs-init" },
        },
      ]),
      remedies: [
        remedies.investigate("Is this meant to be an ECS container instance?", "rpm -q ecs-init; systemctl status ecs"),
      ],
      restartWillWork: false,
    }),
  },
  {
    id: "exited",
    when: ({ o }) =>
      o.serviceDown ||
      (o.report.service.active === "activating" && o.report.service.sub === "auto-restart") ||
      o.initFailing,
    verdictOf: (c) => agentFailed(c, "exited"),
  },
  {
    id: "unknown",
    when: () => true,
    verdictOf: ({ o }) => ({
      verdict: "unknown",
      summary: `The ${agentName(o)} is not registered, and neither the service state nor its logs say why.`,
      evidence: compact<Evidence>([
        introspectionEvidence(o.report),
        serviceEvidence(o.report),
        errorLineEvidence(o),
        initEvidence(o),
        imdsEvidence(o),
        versionEvidence(o),
      ]),
      remedies: [remedies.investigate("The full logs may say more than the probe's summary.")],
      restartWillWork: false,
    }),
  },
];
