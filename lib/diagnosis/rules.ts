import type { ReportCtx, Rule, SsmCtx } from "./facts.ts";
import { agentFailed, rootCause } from "./verdicts/agent-failed.ts";
import { atRisk } from "./verdicts/at-risk.ts";
import { disconnected, disconnectedWithoutProbe } from "./verdicts/disconnected.ts";
import { healthy } from "./verdicts/healthy.ts";
import { imdsUnreachable } from "./verdicts/imds-unreachable.ts";
import { lifecycle404 } from "./verdicts/lifecycle-404.ts";
import { norm } from "./verdicts/shared.ts";
import { notManaged, notProbed, probeFailed, ssmUnreachable, unresolved } from "./verdicts/ssm.ts";
import { notInstalled, unexplained } from "./verdicts/unknown.ts";
import { waiting } from "./verdicts/waiting.ts";

/**
 * The rules, in order: the first whose `when` holds gives the diagnosis. Two tables: what SSM said (when there is
 * no usable report) and what the report says. Pure functions of the facts. Each rule's `when` is here, so the order
 * and the conditions read as one table; what each verdict says (summary, evidence, remedies) is built in
 * verdicts/<verdict>.ts. The verdicts themselves (labels, order, attention) are in catalogue.ts.
 */

// ---------------------------------------------------------------------------------------------------------------
// SSM-level rules: the probe did not give a usable report.

const UNDELIVERED = new Set(["Undeliverable", "DeliveryTimedOut"]);
const OFFLINE = new Set(["ConnectionLost", "Inactive"]);
/** The scan's own outcomes for instances it has no probe result for (lib/scan sets them as statusDetails). */
const NOT_MANAGED = new Set(["NotManaged", "InvalidInstanceId"]);

export const SSM_RULES: Rule<SsmCtx>[] = [
  {
    // ECS itself says the instance joined and its agent is not connected: more than SSM's silence can say.
    id: "disconnected-per-ecs",
    when: ({ probe, ecs }) => !probe?.ok && !!ecs?.registered && ecs.agentConnected === false,
    verdictOf: disconnectedWithoutProbe,
  },
  {
    id: "not-managed",
    when: ({ probe, ssm }) => !probe?.ok && NOT_MANAGED.has(norm(ssm.statusDetails)),
    verdictOf: notManaged,
  },
  {
    id: "unresolved",
    when: ({ probe, ssm }) => probe === undefined && norm(ssm.statusDetails) === "Unresolved",
    verdictOf: unresolved,
  },
  {
    id: "ssm-unreachable",
    when: ({ probe, ssm }) =>
      UNDELIVERED.has(norm(ssm.statusDetails)) || (!probe?.ok && OFFLINE.has(norm(ssm.pingStatus))),
    verdictOf: ssmUnreachable,
  },
  {
    id: "probe-failed",
    when: ({ probe, ssm }) =>
      probe?.ok === false ||
      (probe === undefined &&
        ["Failed", "TimedOut", "Cancelled", "ExecutionTimedOut", "Terminated", "AccessDenied", "InvalidPlatform"].some(
          (s) => norm(ssm.status) === s || norm(ssm.statusDetails) === s,
        )),
    verdictOf: probeFailed,
  },
  {
    id: "not-probed",
    when: ({ probe }) => probe === undefined,
    verdictOf: notProbed,
  },
];

// ---------------------------------------------------------------------------------------------------------------
// Report-level rules.

/**
 * ECS's view of the same registration: when both name a container instance ARN and they differ, ECS is describing
 * an older registration of this instance, and its agentConnected says nothing of the running agent.
 */
const sameRegistration = ({ o, ecs }: ReportCtx) => !ecs?.arn || !o.report.agent.arn || ecs.arn === o.report.agent.arn;

export const REPORT_RULES: Rule<ReportCtx>[] = [
  {
    // Registered and running, but not connected: ECS's agentConnected decides when it was asked (a lost ACS line
    // that ECS contradicts is a reconnect the log has not caught up with).
    id: "disconnected",
    when: (c) =>
      c.o.registered &&
      (sameRegistration(c) && c.ecs?.agentConnected !== undefined ? !c.ecs.agentConnected : c.o.acsLost),
    verdictOf: disconnected,
  },
  {
    id: "at-risk",
    when: ({ o }) => o.registered && o.check.on && o.affected && o.imds.kind === "no-state",
    verdictOf: atRisk,
  },
  {
    id: "healthy",
    when: ({ o }) => o.registered,
    verdictOf: healthy,
  },
  {
    id: "imds-unreachable",
    when: ({ o }) => o.imds.kind === "unreachable",
    verdictOf: imdsUnreachable,
  },
  {
    // Before the lifecycle rules: with Docker down no restart can work, whatever the agent's last line was.
    id: "docker-down",
    when: ({ o }) => !o.registered && o.dockerDown && o.report.service.load !== "not-found",
    verdictOf: (c) => agentFailed(c, "docker-down"),
  },
  {
    // Disabled and not started since this boot: lines in the files are from an earlier boot, and a restart (or a
    // plain start) would leave it dead again after the next one.
    id: "unit-disabled-this-boot",
    when: ({ o }) => !o.registered && o.unitDisabled && o.notRunThisBoot,
    verdictOf: (c) => agentFailed(c, "unit-disabled"),
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
    verdictOf: waiting,
  },
  {
    id: "not-installed",
    when: ({ o }) =>
      o.report.service.load === "not-found" ||
      (o.report.ecsInit === null && !o.report.deb && o.report.service.init !== "upstart" && !o.report.service.active),
    verdictOf: notInstalled,
  },
  {
    // Disabled and not running: "stopped cleanly" would send a person to `systemctl start`, dead after the next boot.
    id: "unit-disabled",
    when: ({ o }) => o.unitDisabled && o.report.service.active === "inactive",
    verdictOf: (c) => agentFailed(c, "unit-disabled"),
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
    // Up but not registered, and no line says why, while the disks, the proxy settings, the last error line or ECS
    // name a cause: say it rather than "nothing says why".
    id: "cause-without-line",
    when: (c) => !c.o.registered && rootCause(c, "exited") !== "exited",
    verdictOf: (c) => agentFailed(c, "exited"),
  },
  {
    id: "unknown",
    when: () => true,
    verdictOf: unexplained,
  },
];
