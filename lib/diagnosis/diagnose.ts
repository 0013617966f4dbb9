import type { EcsFacts, Membership, ProbeFacts, SsmFacts } from "./facts.ts";
import { observe } from "./observe.ts";
import { REPORT_RULES, SSM_RULES } from "./rules.ts";
import type { Diagnosis, Evidence } from "./types.ts";
import { ecsEvidence } from "./verdicts/shared.ts";

/** Everything the diagnosis rests on: the parsed probe report, what SSM said, and Auto Scaling membership. */
export type DiagnosisFacts = {
  /** undefined: SSM never ran the probe (the ssm fields then decide). */
  probe: ProbeFacts;
  ssm: SsmFacts;
  membership?: Membership;
  /** The ECS control plane's view; absent when ECS was not asked. */
  ecs?: EcsFacts;
};

export type { EcsFacts, Membership, ProbeFacts, SsmFacts };

/** Facts in, verdict with evidence and remedies out. Pure: no I/O, no clock; the first matching rule wins. */
export function diagnose(facts: DiagnosisFacts): Diagnosis {
  const { probe, ssm = {}, membership, ecs } = facts;
  if (probe?.ok) {
    const ctx = { o: observe(probe.report), membership, ecs };
    const rule = REPORT_RULES.find((r) => r.when(ctx))!;
    return withEcs(rule.verdictOf(ctx), ecs);
  }
  const ctx = { probe, ssm, ecs, membership };
  const rule = SSM_RULES.find((r) => r.when(ctx))!;
  return withEcs(rule.verdictOf(ctx), ecs);
}

/**
 * ECS's view goes with every verdict it has something to say about (registered or not, connected or not, a missing
 * cluster), and an overdue instance (an InService group member registered nowhere) is said in the summary too,
 * whatever the verdict: SSM's silence must not hide that the instance never joined. It adds facts, never changes
 * the verdict or restartWillWork.
 */
function withEcs(d: Diagnosis, ecs: EcsFacts | undefined): Diagnosis {
  if (!ecs) return d;
  const key = (e: Evidence) => `${e.source.kind}|${"api" in e.source ? e.source.api : ""}|${e.value}`;
  const seen = new Set(d.evidence.map(key));
  const extra = ecsEvidence(ecs).filter((e) => !seen.has(key(e)));
  const overdue =
    ecs.overdue && !ecs.registered && d.verdict !== "healthy"
      ? ` ECS: it has been InService in its group longer than it takes to join, and is registered in none of the ${ecs.clustersSearched} cluster${ecs.clustersSearched === 1 ? "" : "s"} looked at.`
      : "";
  return { ...d, summary: d.summary + overdue, evidence: [...d.evidence, ...extra] };
}
