/** agent-failed: the agent is down for a named cause (or exited with none named); its remedies by cause. */
import {
  imdsEvidence,
  introspectionEvidence,
  isTailed,
  LINE_PATTERNS,
  logEvidence,
  serviceEvidence,
  versionEvidence,
} from "../evidence.ts";
import type { ReportCtx } from "../facts.ts";
import type { Observations } from "../observe.ts";
import { remedies } from "../remedies.ts";
import type { AgentFailureCause, Diagnosis, Evidence, Remedy } from "../types.ts";
import { agentName, compact, errorLineEvidence, initEvidence, lifecycleLineEvidence } from "./shared.ts";

const CAUSE_TEXT: Record<AgentFailureCause, string> = {
  "imds-region": "it could not reach instance metadata to learn its region",
  credentials: "it found no valid AWS credentials",
  registration: "it could not register with the ECS cluster",
  "state-mismatch": "its saved state belongs to another cluster",
  "task-engine": "it could not initialise its task engine from saved state",
  docker: "it could not talk to Docker",
  cgroups: "it could not initialise its cgroup root",
  "cloud-init": "cloud-init failed, so user data (and the config) may not have been applied",
  "cluster-not-found": "the cluster named in ECS_CLUSTER does not exist",
  "docker-api": "it is too old for this Docker: Docker refuses its API version",
  "disk-full": "a disk it writes to is full",
  "clock-skew": "the instance clock is off, so AWS refuses its signed requests",
  "instance-type": "the instance type changed since it registered",
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

export function agentFailed(c: ReportCtx, cause: AgentFailureCause): Diagnosis {
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
