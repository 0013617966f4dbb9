import type { EcsFacts, Membership, ProbeFacts, SsmFacts } from "./facts.ts";
import { observe } from "./observe.ts";
import { REPORT_RULES, SSM_RULES } from "./rules.ts";
import type { Diagnosis } from "./types.ts";

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
    return rule.verdictOf(ctx);
  }
  const ctx = { probe, ssm, ecs, membership };
  const rule = SSM_RULES.find((r) => r.when(ctx))!;
  return rule.verdictOf(ctx);
}
