/** healthy: the agent is running and registered. */
import { imdsEvidence, introspectionEvidence, serviceEvidence, versionEvidence } from "../evidence.ts";
import type { ReportCtx } from "../facts.ts";
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
      serviceEvidence(o.report),
      o.check.on && imdsEvidence(o),
    ]),
    remedies: [],
    restartWillWork: false,
  };
}
