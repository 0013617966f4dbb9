import type { ActionEvent, ActionKind, ActionRow, ActionStatus, ActionTarget } from "../actions/types.ts";
import type { Verdict } from "../diagnosis/types.ts";
import type { InstanceResult, ScanStatus, Targets } from "../scan/types.ts";
import type { InstanceSummary, ScanRow, StoredResult, VerdictCounts } from "./types.ts";

/*
 * The rows both engines store and how they become the store's types. Both keep the same columns with the same
 * encodings (JSON as text, booleans as 0/1, times as ISO-8601 text), so these mappers and the engine-neutral SQL
 * fragments here serve the SQLite store (store.ts) and the PostgreSQL one (pg-store.ts) alike.
 */

export type ScanDb = {
  id: string;
  status: ScanStatus;
  targets: string;
  actor: string | null;
  started_at: string;
  finished_at: string | null;
  total: number | null;
  done: number;
  counts: string;
  error: string | null;
  fleet?: string | null;
  ecs_note?: string | null;
};

export type SummaryDb = {
  instance_id: string;
  /** The result's scan's fleet ('' for scans from before fleets were recorded). */
  fleet?: string | null;
  verdict: Verdict;
  cause: string | null;
  summary: string;
  group_name: string | null;
  lifecycle_state: string | null;
  agent_version: string | null;
  ping_status: string;
  probed_at: string;
  scan_id: string;
  restart_will_work: number;
  registered: number | null;
  gone_since?: string | null;
};

export type ResultDb = SummaryDb & {
  target: string;
  outcome: string;
  diagnosis: string;
  raw_output: string;
  ecs: string | null;
};

export const SUMMARY_COLUMNS =
  "instance_id, fleet, verdict, cause, summary, group_name, lifecycle_state, agent_version, ping_status, probed_at, scan_id, restart_will_work, registered";

/** The listing's columns: a summary, and since when the instance is gone when it is (lib/store/fleets.ts). */
export const LATEST_COLUMNS = `${SUMMARY_COLUMNS}, (SELECT g.since FROM fleet_gone g WHERE g.fleet = latest.fleet AND g.instance_id = latest.instance_id AND g.since > latest.probed_at) AS gone_since`;

export const MAX_PAGE = 1000;

export function toScan(r: ScanDb): ScanRow {
  return {
    id: r.id,
    status: r.status,
    targets: JSON.parse(r.targets) as Targets,
    ...(r.actor ? { actor: r.actor } : {}),
    startedAt: r.started_at,
    ...(r.finished_at ? { finishedAt: r.finished_at } : {}),
    ...(r.total !== null ? { total: r.total } : {}),
    done: r.done,
    counts: JSON.parse(r.counts) as VerdictCounts,
    ...(r.error ? { error: r.error } : {}),
    ...(r.fleet ? { fleet: r.fleet } : {}),
    ...(r.ecs_note ? { ecsNote: r.ecs_note } : {}),
  };
}

export function toSummary(r: SummaryDb): InstanceSummary {
  return {
    instanceId: r.instance_id,
    ...(r.fleet ? { fleet: r.fleet } : {}),
    verdict: r.verdict,
    ...(r.cause ? { cause: r.cause as InstanceSummary["cause"] } : {}),
    summary: r.summary,
    ...(r.group_name ? { group: r.group_name } : {}),
    ...(r.lifecycle_state ? { lifecycleState: r.lifecycle_state } : {}),
    ...(r.agent_version ? { agentVersion: r.agent_version } : {}),
    pingStatus: r.ping_status,
    probedAt: r.probed_at,
    scanId: r.scan_id,
    restartWillWork: r.restart_will_work === 1,
    ...(r.registered !== null && r.registered !== undefined ? { registered: r.registered === 1 } : {}),
    ...(r.gone_since ? { goneSince: r.gone_since } : {}),
  };
}

export function toResult(r: ResultDb): StoredResult {
  return {
    scanId: r.scan_id,
    instanceId: r.instance_id,
    ...(r.fleet ? { fleet: r.fleet } : {}),
    target: JSON.parse(r.target),
    outcome: outcomeOf(r.outcome, r.raw_output),
    diagnosis: JSON.parse(r.diagnosis),
    verdict: r.verdict,
    ...(r.agent_version ? { agentVersion: r.agent_version } : {}),
    ...(r.ecs ? { ecs: JSON.parse(r.ecs) } : {}),
    probedAt: r.probed_at,
    rawOutput: r.raw_output,
  };
}

// The probe's output is kept once, in raw_output: an outcome whose output is the same text says so instead.
export const SAME_AS_RAW = "sameAsRaw";

export function outcomeJson(outcome: InstanceResult["outcome"], rawOutput: string): string {
  if (rawOutput === "" || outcome.output !== rawOutput) return JSON.stringify(outcome);
  return JSON.stringify({ ...outcome, output: "", [SAME_AS_RAW]: true });
}

export function outcomeOf(json: string, rawOutput: string): InstanceResult["outcome"] {
  const { [SAME_AS_RAW]: same, ...outcome } = JSON.parse(json) as InstanceResult["outcome"] & { [SAME_AS_RAW]?: true };
  return same ? { ...outcome, output: rawOutput } : outcome;
}

/** The columns of a result row, from the result and its raw probe output (both engines insert exactly these). */
export function resultRow(result: InstanceResult, rawOutput: string) {
  const d = result.diagnosis;
  const summary = {
    scan_id: result.scanId,
    instance_id: result.instanceId,
    verdict: result.verdict,
    cause: d.cause ?? null,
    summary: d.summary,
    group_name: result.target.group ?? null,
    lifecycle_state: result.target.lifecycleState ?? null,
    agent_version: result.agentVersion ?? null,
    ping_status: result.target.pingStatus,
    restart_will_work: d.restartWillWork ? 1 : 0,
    probed_at: result.probedAt,
    registered: result.ecs ? (result.ecs.registered ? 1 : 0) : null,
  };
  return {
    summary,
    full: {
      ...summary,
      target: JSON.stringify(result.target),
      outcome: outcomeJson(result.outcome, rawOutput),
      diagnosis: JSON.stringify(d),
      raw_output: rawOutput,
      ecs: result.ecs ? JSON.stringify(result.ecs) : null,
    },
  };
}

export type ActionDb = {
  id: string;
  kind: ActionKind;
  actor: string;
  actor_role: string;
  forced: number;
  reason: string | null;
  created_at: string;
  requested: string;
  max_concurrency: number;
  max_errors: number;
  wait_seconds: number;
  /** NULL for actions from before actions-fleet-001. */
  fleet?: string | null;
  finished: string | null;
};

export const SELECT_ACTION = `SELECT a.*, (SELECT data FROM action_events e WHERE e.action_id = a.id AND e.type = 'action-finished') AS finished FROM actions a`;

export function toActionRow(r: ActionDb): ActionRow {
  const fin = r.finished ? (JSON.parse(r.finished) as Extract<ActionEvent, { type: "action-finished" }>) : undefined;
  return {
    id: r.id,
    kind: r.kind,
    ...(r.fleet ? { fleet: r.fleet } : {}),
    actor: r.actor,
    actorRole: r.actor_role,
    forced: r.forced === 1,
    ...(r.reason ? { reason: r.reason } : {}),
    createdAt: r.created_at,
    requested: JSON.parse(r.requested) as string[],
    maxConcurrency: r.max_concurrency,
    maxErrors: r.max_errors,
    waitSeconds: r.wait_seconds,
    status: (fin?.status ?? "running") as ActionStatus,
    ...(fin ? { finishedAt: fin.at } : {}),
    counts: fin?.counts ?? {},
  };
}

export type ActionTargetDb = {
  instance_id: string;
  decision: ActionTarget["decision"];
  reason: string | null;
  preflight: string;
  joined_action: string | null;
};

export function toActionTarget(t: ActionTargetDb): ActionTarget {
  return {
    instanceId: t.instance_id,
    decision: t.decision,
    ...(t.reason ? { reason: t.reason } : {}),
    preflight: JSON.parse(t.preflight),
    ...(t.joined_action ? { joinedAction: t.joined_action } : {}),
  };
}

export type ActionCommandDb = { batch: number; command_id: string; instance_ids: string; sent_at: string };

export function toActionCommand(c: ActionCommandDb) {
  return {
    batch: c.batch,
    commandId: c.command_id,
    instanceIds: JSON.parse(c.instance_ids) as string[],
    sentAt: c.sent_at,
  };
}
