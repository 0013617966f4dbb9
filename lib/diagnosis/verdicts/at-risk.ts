/** at-risk: registered now, but its next start dies on the lifecycle 404. */
import { checkEvidence, imdsEvidence, introspectionEvidence, versionEvidence } from "../evidence.ts";
import type { ReportCtx } from "../facts.ts";
import { remedies } from "../remedies.ts";
import type { Diagnosis, Evidence, Remedy } from "../types.ts";
import { agentName, compact, membershipEvidence } from "./shared.ts";

export function atRisk({ o, membership }: ReportCtx): Diagnosis {
  return {
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
      remedies.upgrade(`Agent ${o.version} treats the first 404 as fatal.`, { report: o.report }),
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
  };
}
