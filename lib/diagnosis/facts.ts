/**
 * What the rules look at: the facts diagnose() is given, and the two contexts its rule tables are evaluated on.
 */
import type { ProbeReport } from "../probe/report-schema.ts";
import type { Observations } from "./observe.ts";
import type { Diagnosis } from "./types.ts";

/** `source`: the Auto Scaling call that reported it (DescribeAutoScalingInstances when absent). */
export type Membership = { group: string; lifecycleState: string; inWarmPool?: boolean; source?: string };
export type SsmFacts = {
  pingStatus?: string;
  status?: string;
  statusDetails?: string;
  responseCode?: number;
  output?: string;
  /** A probe still running at the scan's deadline (statusDetails `Unresolved`): seconds the scan waited. */
  waitedSeconds?: number;
};
export type ProbeFacts = { ok: true; report: ProbeReport } | { ok: false; error: string } | undefined;

export type Rule<C> = { id: string; when: (c: C) => boolean; verdictOf: (c: C) => Diagnosis };

/** The SSM-level context: the probe did not give a usable report. */
export type SsmCtx = { probe: ProbeFacts; ssm: SsmFacts };

/** The report-level context: what the report says, and Auto Scaling membership. */
export type ReportCtx = { o: Observations; membership?: Membership };
