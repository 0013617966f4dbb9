/** healthy: the agent is running and registered. */
import { checkEvidence, imdsEvidence, introspectionEvidence, serviceEvidence, versionEvidence } from "../evidence.ts";
import type { ReportCtx } from "../facts.ts";
import { remedies } from "../remedies.ts";
import type { Diagnosis, Evidence } from "../types.ts";
import { agentName, compact } from "./shared.ts";

export function healthy({ o }: ReportCtx): Diagnosis {
  const cluster = o.report.agent.cluster;
  return {
    verdict: "healthy",
    summary: `The ${agentName(o)} is running and registered${cluster ? ` in cluster ${cluster}` : ""}.`,
    evidence: compact<Evidence>([
      introspectionEvidence(o.report),
      versionEvidence(o),
      serviceEvidence(o),
      o.check.on && imdsEvidence(o),
      o.check.on && o.affected && checkEvidence(o),
    ]),
    // Registered now (it started in its group), but an affected agent with the check on dies again on the next
    // boot that comes before the group publishes a lifecycle state: the upgrade stays advised.
    remedies:
      o.check.on && o.affected
        ? [
            remedies.upgrade(
              `Agent ${o.version} treats the first lifecycle 404 as fatal: its next boot, before the group publishes a lifecycle state, fails again.`,
              { report: o.report },
            ),
          ]
        : [],
    restartWillWork: false,
  };
}
