import { NOT_DELIVERED } from "../aws/command-output.ts";
import { type DiagnosisFacts, diagnose } from "../diagnosis/diagnose.ts";
import type { EcsFacts } from "../diagnosis/facts.ts";
import type { Diagnosis } from "../diagnosis/types.ts";
import { agentVersionOf } from "../diagnosis/versions.ts";
import { type ParsedProbeOutput, parseProbeOutput } from "../probe/report.ts";
import type { InstanceEvent, InstanceResult, InvocationOutcome, Target } from "./types.ts";

/** Whether the probe ran on the instance (so its output, even empty, is a finding) or SSM never delivered it. */
function probeRan(outcome: InvocationOutcome, raw: string): boolean {
  if (outcome.status === "NotSent") return false;
  if (outcome.statusDetails && NOT_DELIVERED.has(outcome.statusDetails)) return false;
  return raw.length > 0 || (outcome.responseCode ?? -1) >= 0 || outcome.statusDetails === "ExecutionTimedOut";
}

/** The probe's report parsed, when the probe ran (undefined when SSM never delivered it). */
export function parseOutcome(outcome: InvocationOutcome, raw: string): ParsedProbeOutput | undefined {
  return probeRan(outcome, raw) ? parseProbeOutput(raw) : undefined;
}

/**
 * Parse and diagnose one instance: SSM's outcome + the probe's report + Auto Scaling membership from inventory + the
 * ECS control plane's view (absent when ECS was not asked). `parsed`: the output already parsed (parseOutcome).
 */
export function buildResult(
  scanId: string,
  target: Target,
  outcome: InvocationOutcome,
  raw: string,
  extra: { parsed?: ParsedProbeOutput; ecs?: EcsFacts } = {},
): InstanceResult {
  const parsed = extra.parsed ?? parseOutcome(outcome, raw);
  const { ecs } = extra;
  const facts: DiagnosisFacts = {
    probe: parsed ? (parsed.ok ? { ok: true, report: parsed.report } : { ok: false, error: parsed.error }) : undefined,
    ssm: {
      pingStatus: target.pingStatus,
      ...(outcome.status !== "NotSent" ? { status: outcome.status } : {}),
      ...(outcome.statusDetails ? { statusDetails: outcome.statusDetails } : {}),
      ...(outcome.responseCode !== undefined ? { responseCode: outcome.responseCode } : {}),
      ...(outcome.waitedSeconds !== undefined ? { waitedSeconds: outcome.waitedSeconds } : {}),
      output: outcome.output,
    },
    ...(target.group
      ? {
          membership: {
            group: target.group,
            lifecycleState: target.lifecycleState ?? "Unknown",
            ...(target.inWarmPool !== undefined ? { inWarmPool: target.inWarmPool } : {}),
            ...(target.membershipSource ? { source: target.membershipSource } : {}),
          },
        }
      : {}),
    ...(ecs ? { ecs } : {}),
  };
  let diagnosis: Diagnosis;
  try {
    diagnosis = diagnose(facts);
  } catch (e) {
    // diagnose is pure and should never throw; if it does, one instance says so instead of the scan failing.
    diagnosis = {
      verdict: "unknown",
      summary: `Diagnosis failed: ${String((e as Error)?.message ?? e).slice(0, 200)}`,
      evidence: [],
      remedies: [],
      restartWillWork: false,
    };
  }
  const agentVersion = parsed?.ok ? agentVersionOf(parsed.report) : undefined;
  return {
    scanId,
    instanceId: target.instanceId,
    target,
    outcome,
    diagnosis,
    verdict: diagnosis.verdict,
    ...(agentVersion ? { agentVersion } : {}),
    ...(ecs ? { ecs } : {}),
    probedAt: new Date().toISOString(),
  };
}

/** The slim event that says an instance is done (the result itself is stored, not streamed). */
export function instanceEvent(r: InstanceResult): InstanceEvent {
  const status = [r.outcome.status, r.outcome.statusDetails].filter(Boolean).join(": ").slice(0, 200);
  return {
    type: "instance",
    instanceId: r.instanceId,
    verdict: r.verdict,
    status,
    ...(r.target.group ? { group: r.target.group } : {}),
    at: r.probedAt,
  };
}
