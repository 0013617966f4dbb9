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
};

/** What the detail view shows: plain data, safe to hand to a client component. */
export type InstanceView = {
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
  history: HistoryEntry[];
};
