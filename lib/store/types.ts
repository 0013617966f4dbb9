import type { AgentFailureCause, Verdict } from "../diagnosis/types.ts";
import type { VerdictLabel } from "../instances/free-text.ts";
import type { InstanceResult, ScanEvent, ScanStatus, Targets } from "../scan/types.ts";

export type VerdictCounts = Partial<Record<Verdict, number>>;

export type ScanRow = {
  id: string;
  status: ScanStatus;
  targets: Targets;
  actor?: string;
  startedAt: string;
  finishedAt?: string;
  /** Instances inventory found (unknown until the inventory event). */
  total?: number;
  /** Instances with a stored result. */
  done: number;
  counts: VerdictCounts;
  /** Why a scan failed, when it did. */
  error?: string;
};

/** One row of the instance list: the latest diagnosis of an instance. */
export type InstanceSummary = {
  instanceId: string;
  verdict: Verdict;
  cause?: AgentFailureCause;
  summary: string;
  group?: string;
  lifecycleState?: string;
  agentVersion?: string;
  pingStatus: string;
  probedAt: string;
  scanId: string;
  restartWillWork: boolean;
};

export type StoredResult = InstanceResult & { rawOutput: string };

export type StoredEvent = { seq: number; event: ScanEvent };

export type LatestFilter = {
  verdict?: Verdict[];
  group?: string;
  agentVersion?: string;
  /** Free text: part of any value the instances table shows (lib/instances/free-text.ts). */
  q?: string;
  /** The verdict labels the table shows, so that `q` can match them too. */
  verdictLabel?: VerdictLabel;
  limit?: number;
  offset?: number;
};
