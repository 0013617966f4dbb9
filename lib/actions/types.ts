import type { Verdict } from "../diagnosis/types.ts";
import type { RestartReport } from "../probe/restart-report.ts";
import type { ActionKind } from "../probe/restart-script.ts";

export type { ActionKind } from "../probe/restart-script.ts";
export { ACTION_KINDS } from "../probe/restart-script.ts";

/** At most this many instances per request: one SendCommand's limit, and a blast radius a person can read. */
export const MAX_ACTION_TARGETS = 50;

/** What the preflight found for one instance. `hard` refusals cannot be forced (it could not work or would harm). */
export type PreflightCheck = {
  instanceId: string;
  ok: boolean;
  reason?: string;
  hard?: boolean;
  verdict?: Verdict;
  summary?: string;
  probedAt?: string;
  ageSeconds?: number;
  group?: string;
  pingStatus?: string;
};

export type TargetDecision = "accepted" | "refused" | "joined";

export type ActionTarget = {
  instanceId: string;
  decision: TargetDecision;
  reason?: string;
  preflight: PreflightCheck;
  /** For `joined`: the action already restarting this instance. */
  joinedAction?: string;
};

/** Per-instance result of an action. */
export type InstanceOutcomeKind =
  | "registered"
  | "failed-again"
  | "timeout"
  | "not-delivered"
  | "error"
  | "skipped"
  | "unknown";

export type InstanceOutcome = {
  instanceId: string;
  outcome: InstanceOutcomeKind;
  commandId?: string;
  /** The restart script's report, when it printed one. */
  report?: RestartReport;
  /** Why, in one sentence (SSM status, parse error, skipped because ...). */
  message?: string;
  /** The new failure evidence: the line the agent wrote when it failed again. */
  failureLine?: string;
  /** The verdict of the probe sent after the restart. */
  verdictAfter?: Verdict;
  summaryAfter?: string;
  scanId?: string;
  at: string;
};

/** `failed` / `partly-failed`: every / some restarted instance did not come back (see settled-status.ts). */
export type ActionStatus = "running" | "completed" | "partly-failed" | "halted" | "refused" | "failed" | "interrupted";

export type ActionEvent =
  | {
      type: "action-started";
      actionId: string;
      kind: ActionKind;
      actor: string;
      forced: boolean;
      reason?: string;
      targets: { instanceId: string; decision: TargetDecision; reason?: string; joinedAction?: string }[];
      maxConcurrency: number;
      maxErrors: number;
      at: string;
    }
  | { type: "resumed"; pid: number; at: string }
  | { type: "batch-sending"; batch: number; instanceIds: string[]; at: string }
  | { type: "batch-sent"; batch: number; commandId: string; instanceIds: string[]; at: string }
  | { type: "batch-failed"; batch: number; instanceIds: string[]; error: string; at: string }
  | { type: "instance-status"; instanceId: string; status: string; at: string }
  | {
      type: "instance-restarted";
      instanceId: string;
      outcome: InstanceOutcomeKind;
      message?: string;
      failureLine?: string;
      seconds?: number;
      at: string;
    }
  | { type: "rediagnosing"; instanceIds: string[]; at: string }
  | { type: "instance-outcome"; outcome: InstanceOutcome; at: string }
  | { type: "halted"; reason: string; skipped: string[]; at: string }
  | {
      type: "action-finished";
      status: Exclude<ActionStatus, "running">;
      counts: Partial<Record<InstanceOutcomeKind, number>>;
      at: string;
    };

export type StoredActionEvent = { seq: number; event: ActionEvent };

export type ActionRow = {
  id: string;
  kind: ActionKind;
  /** The fleet (`<account>/<region>`) the action restarts instances of; absent for actions from before fleets. */
  fleet?: string;
  actor: string;
  actorRole: string;
  forced: boolean;
  reason?: string;
  createdAt: string;
  requested: string[];
  maxConcurrency: number;
  maxErrors: number;
  waitSeconds: number;
  status: ActionStatus;
  finishedAt?: string;
  counts: Partial<Record<InstanceOutcomeKind, number>>;
};

export type ActionDetail = ActionRow & {
  targets: ActionTarget[];
  commands: { batch: number; commandId: string; instanceIds: string[]; sentAt: string }[];
  outcomes: InstanceOutcome[];
};

export type { RestartReport };
