import type { EventEmitter } from "node:events";
import type Database from "better-sqlite3";
import type { ActionDetail, ActionEvent, ActionRow, InstanceOutcome, InstanceOutcomeKind } from "../actions/types.ts";
import type { ActionAuditStore, ActionEnd, ActionWrite } from "./interfaces.ts";
import type { LeaseTable } from "./leases.ts";
import {
  type ActionCommandDb,
  type ActionDb,
  type ActionTargetDb,
  SELECT_ACTION,
  toActionCommand,
  toActionRow,
  toActionTarget,
} from "./rows.ts";

/**
 * Which claims of `action_inflight f` hold an instance for a request in fleet `?` (given twice): that fleet's, and a
 * claim from before fleets (''), which holds the id everywhere; a request without a fleet ('') sees every fleet's.
 */
export const SAME_FLEET = `(? = '' OR f.fleet = ? OR f.fleet = '')`;

/**
 * The actions' tables (SQLite), over the store's connection. Writes that belong together run in one transaction;
 * the claim of instances runs in an IMMEDIATE one so that two requests (two tabs, the CLI and the dashboard) can
 * never both claim the same instance. Which process drives an action is its lease; `action_runs` keeps the history.
 */
export function actionAuditStore(db: Database.Database, leases: LeaseTable, wake: EventEmitter): ActionAuditStore {
  const q = {
    insertAction: db.prepare(
      `INSERT INTO actions (id, kind, fleet, actor, actor_role, forced, reason, created_at, requested, max_concurrency, max_errors, wait_seconds)
       VALUES (@id, @kind, @fleet, @actor, @actorRole, @forced, @reason, @createdAt, @requested, @maxConcurrency, @maxErrors, @waitSeconds)`,
    ),
    insertTarget: db.prepare(
      `INSERT INTO action_targets (action_id, instance_id, n, decision, reason, preflight, joined_action) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    inflight: db.prepare(
      `SELECT f.action_id FROM action_inflight f WHERE f.instance_id = ? AND ${SAME_FLEET}
         AND NOT EXISTS (SELECT 1 FROM action_events e WHERE e.action_id = f.action_id AND e.type = 'action-finished')`,
    ),
    deleteStaleLock: db.prepare(`DELETE FROM action_inflight AS f WHERE instance_id = ? AND ${SAME_FLEET}`),
    lock: db.prepare(`INSERT INTO action_inflight (fleet, instance_id, action_id) VALUES (?, ?, ?)`),
    unlock: db.prepare(`DELETE FROM action_inflight WHERE instance_id = ? AND action_id = ?`),
    unlockAll: db.prepare(`DELETE FROM action_inflight WHERE action_id = ?`),
    nextSeq: db.prepare(`SELECT coalesce(max(seq), 0) + 1 AS seq FROM action_events WHERE action_id = ?`),
    insertEvent: db.prepare(`INSERT INTO action_events (action_id, seq, type, at, data) VALUES (?, ?, ?, ?, ?)`),
    eventsSince: db.prepare(`SELECT seq, data FROM action_events WHERE action_id = ? AND seq > ? ORDER BY seq LIMIT ?`),
    insertCommand: db.prepare(
      `INSERT INTO action_commands (action_id, batch, command_id, instance_ids, sent_at) VALUES (?, ?, ?, ?, ?)`,
    ),
    insertOutcome: db.prepare(
      `INSERT INTO action_outcomes (action_id, instance_id, outcome, command_id, detail, verdict_after, scan_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    get: db.prepare(`${SELECT_ACTION} WHERE a.id = ?`),
    list: db.prepare(`${SELECT_ACTION} ORDER BY a.created_at DESC, a.id DESC LIMIT ?`),
    listForInstance: db.prepare(
      `${SELECT_ACTION} WHERE a.id IN (SELECT action_id FROM action_targets WHERE instance_id = ?) ORDER BY a.created_at DESC LIMIT ?`,
    ),
    listForFleet: db.prepare(`${SELECT_ACTION} WHERE a.fleet = ? ORDER BY a.created_at DESC, a.id DESC LIMIT ?`),
    listForFleetInstance: db.prepare(
      `${SELECT_ACTION} WHERE a.fleet = ? AND a.id IN (SELECT action_id FROM action_targets WHERE instance_id = ?) ORDER BY a.created_at DESC LIMIT ?`,
    ),
    targets: db.prepare(`SELECT * FROM action_targets WHERE action_id = ? ORDER BY n`),
    commands: db.prepare(`SELECT * FROM action_commands WHERE action_id = ? ORDER BY batch`),
    outcomes: db.prepare(`SELECT detail FROM action_outcomes WHERE action_id = ? ORDER BY at, instance_id`),
    outcomeKinds: db.prepare(`SELECT outcome, count(*) AS n FROM action_outcomes WHERE action_id = ? GROUP BY outcome`),
    unfinished: db.prepare(
      `SELECT id FROM actions a WHERE NOT EXISTS (SELECT 1 FROM action_events e WHERE e.action_id = a.id AND e.type = 'action-finished') ORDER BY created_at`,
    ),
    insertRun: db.prepare(`INSERT INTO action_runs (action_id, pid, started_at) VALUES (?, ?, ?)`),
  };

  function insertEvent(actionId: string, event: ActionEvent): number {
    const { seq } = q.nextSeq.get(actionId) as { seq: number };
    q.insertEvent.run(actionId, seq, event.type, event.at, JSON.stringify(event));
    return seq;
  }

  function get(id: string): ActionRow | undefined {
    const r = q.get.get(id) as ActionDb | undefined;
    return r ? toActionRow(r) : undefined;
  }

  function inflightAction(instanceId: string, fleet = ""): string | undefined {
    return (q.inflight.get(instanceId, fleet, fleet) as { action_id: string } | undefined)?.action_id;
  }

  function applyWrite(actionId: string, w: ActionWrite): void {
    if (w.kind === "command") {
      q.insertCommand.run(actionId, w.batch, w.commandId, JSON.stringify(w.instanceIds), new Date().toISOString());
      return;
    }
    const o = w.outcome;
    q.insertOutcome.run(
      actionId,
      o.instanceId,
      o.outcome,
      o.commandId ?? null,
      JSON.stringify(o),
      o.verdictAfter ?? null,
      o.scanId ?? null,
      o.at,
    );
    // An instance with an outcome is free for the next restart.
    q.unlock.run(o.instanceId, actionId);
  }

  const finishTx = db.transaction((actionId: string, end: ActionEnd): ActionEvent | undefined => {
    leases.release("action", actionId);
    if (get(actionId)?.status !== "running") return undefined;
    const counts: Partial<Record<InstanceOutcomeKind, number>> = {};
    for (const r of q.outcomeKinds.all(actionId) as { outcome: InstanceOutcomeKind; n: number }[])
      counts[r.outcome] = r.n;
    const status = typeof end === "function" ? end(counts) : end;
    const event: ActionEvent = { type: "action-finished", status, counts, at: new Date().toISOString() };
    q.unlockAll.run(actionId);
    insertEvent(actionId, event);
    return event;
  });

  return {
    async inflightAction(instanceId, fleet) {
      return inflightAction(instanceId, fleet);
    },

    async createAction(input, decide, started) {
      const answer = db
        .transaction(() => {
          const fleet = input.fleet ?? "";
          const joined = new Map<string, string>();
          const free = new Set<string>();
          for (const id of input.requested) {
            const holder = inflightAction(id, fleet);
            if (holder) joined.set(id, holder);
            else {
              q.deleteStaleLock.run(id, fleet, fleet);
              free.add(id);
            }
          }
          const targets = decide(free, joined);
          // Nothing new to do (every instance already under way): no new action, the caller joins the others.
          if (!targets.some((t) => t.decision !== "joined")) return { targets, created: false };
          q.insertAction.run({
            id: input.id,
            kind: input.kind,
            fleet: input.fleet ?? null,
            actor: input.actor,
            actorRole: input.actorRole,
            forced: input.forced ? 1 : 0,
            reason: input.reason ?? null,
            createdAt: input.createdAt,
            requested: JSON.stringify(input.requested),
            maxConcurrency: input.maxConcurrency,
            maxErrors: input.maxErrors,
            waitSeconds: input.waitSeconds,
          });
          for (const [n, t] of targets.entries()) {
            q.insertTarget.run(
              input.id,
              t.instanceId,
              n,
              t.decision,
              t.reason ?? null,
              JSON.stringify(t.preflight),
              t.joinedAction ?? null,
            );
            if (t.decision === "accepted") q.lock.run(fleet, t.instanceId, input.id);
          }
          q.insertRun.run(input.id, process.pid, new Date().toISOString());
          leases.acquire("action", input.id);
          insertEvent(input.id, started(targets));
          return { targets, created: true };
        })
        .immediate();
      if (answer.created) wake.emit(`action:${input.id}`);
      return answer;
    },

    async appendEvent(actionId, event, write) {
      const seq = db
        .transaction(() => {
          if (write) applyWrite(actionId, write);
          return insertEvent(actionId, event);
        })
        .immediate();
      wake.emit(`action:${actionId}`);
      return seq;
    },

    async eventsSince(actionId, afterSeq, limit = 10_000) {
      return (q.eventsSince.all(actionId, afterSeq, limit) as { seq: number; data: string }[]).map((r) => ({
        seq: r.seq,
        event: JSON.parse(r.data) as ActionEvent,
      }));
    },

    onActionEvent(actionId, listener) {
      wake.on(`action:${actionId}`, listener);
      return () => wake.off(`action:${actionId}`, listener);
    },

    async finishAction(actionId, end) {
      const event = finishTx.immediate(actionId, end);
      if (event) wake.emit(`action:${actionId}`);
      return event;
    },

    async get(id) {
      return get(id);
    },

    async detail(id): Promise<ActionDetail | undefined> {
      const row = get(id);
      if (!row) return undefined;
      const targets = (q.targets.all(id) as ActionTargetDb[]).map(toActionTarget);
      const commands = (q.commands.all(id) as ActionCommandDb[]).map(toActionCommand);
      const outcomes = (q.outcomes.all(id) as { detail: string }[]).map((o) => JSON.parse(o.detail) as InstanceOutcome);
      return { ...row, targets, commands, outcomes };
    },

    async list(opts = {}) {
      const limit = Math.min(Math.max(opts.limit ?? 50, 1), 500);
      const rows = (
        opts.fleet !== undefined
          ? opts.instanceId
            ? q.listForFleetInstance.all(opts.fleet, opts.instanceId, limit)
            : q.listForFleet.all(opts.fleet, limit)
          : opts.instanceId
            ? q.listForInstance.all(opts.instanceId, limit)
            : q.list.all(limit)
      ) as ActionDb[];
      return rows.map(toActionRow);
    },

    async unfinished() {
      return (q.unfinished.all() as { id: string }[]).map((r) => r.id);
    },

    async takeOver(actionId) {
      return db
        .transaction(() => {
          // A live lease (this process's or another's) means someone drives it: leave it alone.
          if (leases.holder("action", actionId) !== undefined) return false;
          if (get(actionId)?.status !== "running") return false;
          leases.acquire("action", actionId);
          q.insertRun.run(actionId, process.pid, new Date().toISOString());
          return true;
        })
        .immediate();
    },
  };
}
