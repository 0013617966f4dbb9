/** imds-unreachable: the probe could not read instance metadata. */
import { imdsEvidence, introspectionEvidence, logEvidence, serviceEvidence, tokenEvidence } from "../evidence.ts";
import type { ReportCtx } from "../facts.ts";
import { remedies } from "../remedies.ts";
import type { Diagnosis, Evidence } from "../types.ts";
import { compact, lifecycleLineEvidence } from "./shared.ts";

export function imdsUnreachable({ o }: ReportCtx): Diagnosis {
  return {
    verdict: "imds-unreachable",
    summary: `The probe could not read instance metadata (${o.imds.kind === "unreachable" ? o.imds.why : ""}), so whether the agent can start cannot be judged; the agent needs IMDS too.`,
    evidence: compact<Evidence>([
      tokenEvidence(o.report),
      imdsEvidence(o),
      o.lifecycleCurrent && lifecycleLineEvidence(o, "The agent's fatal lifecycle line"),
      o.failureCurrent &&
        o.report.logs.failure &&
        logEvidence(`The agent's failure line (${o.report.logs.failure.kind})`, o.report.logs.failure),
      serviceEvidence(o),
      introspectionEvidence(o.report),
    ]),
    remedies: [remedies.checkImds(o.report.instanceId, "Both the agent and the probe need instance metadata.")],
    restartWillWork: false,
  };
}
