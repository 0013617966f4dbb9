/** unknown (for a usable report): no ECS agent installed, or nothing says why the agent is not registered. */
import { imdsEvidence, introspectionEvidence, serviceEvidence, versionEvidence } from "../evidence.ts";
import type { ReportCtx } from "../facts.ts";
import { remedies } from "../remedies.ts";
import type { Diagnosis, Evidence } from "../types.ts";
import { agentName, compact, errorLineEvidence, initEvidence } from "./shared.ts";

export function notInstalled({ o }: ReportCtx): Diagnosis {
  return {
    verdict: "unknown",
    summary: "No ECS agent service was found on this instance (ecs-init not installed, no ecs unit).",
    evidence: compact<Evidence>([
      serviceEvidence(o),
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
  };
}

export function unexplained({ o }: ReportCtx): Diagnosis {
  return {
    verdict: "unknown",
    summary: `The ${agentName(o)} is not registered, and neither the service state nor its logs say why.`,
    evidence: compact<Evidence>([
      introspectionEvidence(o.report),
      serviceEvidence(o),
      errorLineEvidence(o),
      initEvidence(o),
      imdsEvidence(o),
      versionEvidence(o),
    ]),
    remedies: [remedies.investigate("The full logs may say more than the probe's summary.")],
    restartWillWork: false,
  };
}
