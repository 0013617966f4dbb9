import type { AgentFailureCause, Verdict } from "../diagnosis/types.ts";
import type { VerdictLabel } from "../instances/free-text.ts";
import type { InstanceResult, ScanEvent, ScanStatus, Targets } from "../scan/types.ts";
import type { FleetScope } from "./fleets.ts";

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
  /** The fleet (`<account>/<region>`) the scan read; absent for scans from before fleets were recorded. */
  fleet?: string;
  /** Why the scan went without ECS's view (its results then say nothing of registration). */
  ecsNote?: string;
};

/** One row of the instance list: the latest diagnosis of an instance. */
export type InstanceSummary = {
  instanceId: string;
  /** The fleet (`<account>/<region>`) the result was read from; an instance id is only unique inside one. */
  fleet?: string;
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
  /** Registered with ECS (a container instance in one of the account's clusters); absent when ECS was not asked. */
  registered?: boolean;
  /** Gone since (a full scan of its fleet started then did not see it); only listed with `includeGone`. */
  goneSince?: string;
};

/** `fleet`: the result's scan's (`<account>/<region>`), absent for scans from before fleets were recorded. */
export type StoredResult = InstanceResult & { rawOutput: string; fleet?: string };

export type StoredEvent = { seq: number; event: ScanEvent };

export type LatestFilter = FleetScope & {
  /** Several fleets (ids `<account>/<region>`); with `fleet`, both apply. */
  fleets?: string[];
  /** A 12-digit account: its fleets in every region. */
  account?: string;
  region?: string;
  verdict?: Verdict[];
  group?: string;
  agentVersion?: string;
  /** ECS registration: yes, no, or not asked (the scan had no ECS view). */
  registered?: Registered;
  /** Free text: part of any value the instances table shows (lib/instances/free-text.ts). */
  q?: string;
  /** The verdict labels the table shows, so that `q` can match them too. */
  verdictLabel?: VerdictLabel;
  limit?: number;
  offset?: number;
};

export const REGISTERED = ["yes", "no", "not-asked"] as const;
export type Registered = (typeof REGISTERED)[number];
