/** lifecycle-404:ready, :blocked and :warmed: the agent died on the lifecycle 404; what IMDS says now decides. */
import { checkEvidence, imdsEvidence, introspectionEvidence, serviceEvidence, versionEvidence } from "../evidence.ts";
import type { ReportCtx } from "../facts.ts";
import { remedies, restartCommand } from "../remedies.ts";
import type { Diagnosis, Evidence, Remedy } from "../types.ts";
import { FIRST_FIXED } from "../versions.ts";
import {
  agentName,
  atTime,
  checkNowOff,
  compact,
  initEvidence,
  lifecycleLineEvidence,
  membershipEvidence,
} from "./shared.ts";

export function lifecycle404(c: ReportCtx): Diagnosis {
  const { o, membership } = c;
  const r = o.report;
  const lc = r.logs.lifecycle!;
  const state = o.imds.kind === "state" ? o.imds.state : undefined;
  const id = r.instanceId;
  const group = membership?.group;
  const died = `The ${agentName(o)} died on the lifecycle 404${atTime(lc.t)}`;
  // The generic deb unit restarts the agent every 10 s whatever its exit code: it dies again on each start.
  const loop = o.exit5Final
    ? ""
    : " This unit has no RestartPreventExitStatus=5 (the generic deb unit): systemd starts it again every 10 s and each start writes the 404 line again.";
  const evidence = compact<Evidence>([
    lifecycleLineEvidence(
      o,
      "The agent's fatal line: IMDS had no lifecycle state and the agent treated the 404 as fatal",
    ),
    imdsEvidence(o),
    serviceEvidence(o),
    initEvidence(o),
    introspectionEvidence(r),
    checkEvidence(o),
    versionEvidence(o),
    membershipEvidence(membership),
  ]);
  const upgrade =
    o.affected &&
    remedies.upgrade(`Agent ${o.version} treats the first 404 as fatal; ${FIRST_FIXED} waits for the group instead.`, {
      report: r,
    });

  if (state === "InService") {
    return {
      verdict: "lifecycle-404:ready",
      summary: `${died}; IMDS now answers InService, so \`${restartCommand(r)}\` will bring it up.${o.exit5Final ? "" : " This unit has no RestartPreventExitStatus=5, so systemd's own restart every 10 s may bring it up first."}`,
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
      summary:
        (off
          ? `${died}; the instance is now in the warm pool (${state}), but the check is off now, so a restart will register it.`
          : `${died}; the instance is now in the warm pool (${state}), so a restarted agent would only wait until scale-out.`) +
        loop,
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
      summary:
        (off
          ? `${died}; IMDS now answers ${state}, but the check is off now, so a restart will register it.`
          : `${died}; IMDS now answers ${state}, not InService, so a restarted agent would only wait: restart once the group moves it to InService.`) +
        loop,
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
    summary:
      (off
        ? `${died}; ${where}, but the check is off now, so a restart will register it.`
        : `${died}; ${where}, so a restart would ${o.affected ? "fail again" : "wait up to two hours, then fail"}: attach it to its group, turn the check off, or upgrade.`) +
      loop,
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
