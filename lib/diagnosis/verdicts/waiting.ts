/** waiting: the agent is alive, unregistered, polling IMDS for InService. */
import {
  checkEvidence,
  imdsEvidence,
  introspectionEvidence,
  isTailed,
  LINE_PATTERNS,
  logEvidence,
  serviceEvidence,
  versionEvidence,
} from "../evidence.ts";
import type { ReportCtx } from "../facts.ts";
import { remedies } from "../remedies.ts";
import type { Diagnosis, Evidence, Remedy } from "../types.ts";
import { agentName, compact, membershipEvidence } from "./shared.ts";

export function waiting({ o, membership }: ReportCtx): Diagnosis {
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
      serviceEvidence(o),
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
            remedies.attach(r.instanceId, undefined, "The agent registers as soon as the group publishes InService."),
          remedies.disableCheck(r, "Without the check the agent registers at once."),
        ]),
    restartWillWork: false,
  };
}
