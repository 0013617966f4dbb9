import type { EcsFacts } from "@/lib/diagnosis/facts.ts";
import type { Diagnosis, Verdict } from "@/lib/diagnosis/types.ts";
import type { ProbeReport } from "@/lib/probe/report-schema.ts";
import type { InvocationOutcome, Target } from "@/lib/scan/types.ts";

export type HistoryEntry = {
  scanId: string;
  verdict: Verdict;
  summary: string;
  probedAt: string;
  agentVersion?: string;
  lifecycleState?: string;
  group?: string;
  /** The restart this scan verified, when it was a verification scan. */
  verifiedAction?: string;
};

/** A restart (or other action) that named this instance, for its history. */
export type ActionEntry = {
  id: string;
  kind: string;
  status: string;
  createdAt: string;
  actor: string;
  /** This instance's outcome in it, when it has one. */
  outcome?: string;
};

/** What the detail view shows: plain data, safe to hand to a client component. */
export type InstanceView = {
  /** The region of the fleet it was read from, for console links. */
  region: string;
  /** The fleet (`<account>/<region>`) it was read from; absent for a result from before fleets were recorded. */
  fleet?: string;
  /** Gone from its fleet: a full scan started at `since` did not see it. */
  gone?: { since: string; fleet: string };
  actions: ActionEntry[];
  instanceId: string;
  scanId: string;
  probedAt: string;
  verdict: Verdict;
  agentVersion?: string;
  target: Target;
  outcome: Omit<InvocationOutcome, "output">;
  diagnosis: Diagnosis;
  rawOutput: string;
  report?: ProbeReport;
  /** What ECS said of it in that scan; absent when the scan did not ask ECS (or could not). */
  ecs?: EcsFacts;
  history: HistoryEntry[];
};
