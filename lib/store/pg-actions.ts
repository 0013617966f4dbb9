import type { EventEmitter } from "node:events";
import type pg from "pg";
import type { ActionDetail, ActionEvent, ActionRow, InstanceOutcome, InstanceOutcomeKind } from "../actions/types.ts";
import type { ActionAuditStore, ActionEnd, ActionWrite } from "./interfaces.ts";
import type { PgLeaseTable } from "./leases.ts";
import type { Queryable } from "./pg.ts";
import { notifyStored } from "./pg-notify.ts";
import {
  type ActionCommandDb,
  type ActionDb,
  type ActionTargetDb,
  SELECT_ACTION,
  toActionCommand,
  toActionRow,
  toActionTarget,
} from "./rows.ts";

// Claims of instances are serialised across every replica (as SQLite's IMMEDIATE transaction serialises writers):
// a transaction-scoped advisory lock, released at COMMIT or ROLLBACK.
const CLAIMS_LOCK = "SELECT pg_advisory_xact_lock(hashtext('fleet-doctor:action-claims'))";

const UNFINISHED = `NOT EXISTS (SELECT 1 FROM action_events e WHERE e.action_id = a.id AND e.type = 'action-finished')`;

/**
 * The actions' tables (PostgreSQL): the same verbs as actionAuditStore (actions.ts). A unit of work is one
 * transaction (`tx`); one that appends to an action's trail first locks the action's row (FOR UPDATE takes a row
 * lock and fires no UPDATE trigger), so that two writers of one action number its events one after the other.
 */
export function pgActionAuditStore(
  db: Queryable,
  tx: <T>(fn: (c: pg.PoolClient) => Promise<T>) => Promise<T>,
  leases: PgLeaseTable,
  wake: EventEmitter,
  /** Starts hearing other replicas' stored events (pg-notify.ts) once someone listens here. */
  listen: () => void = () => {},
): ActionAuditStore {
  async function insertEvent(c: Queryable, actionId: string, event: ActionEvent): Promise<number> {
    const r = await c.query<{ seq: number }>(
      `INSERT INTO action_events (action_id, seq, type, at, data)
       SELECT $1, coalesce(max(seq), 0) + 1, $2, $3, $4 FROM action_events WHERE action_id = $1 RETURNING seq`,
      [actionId, event.type, event.at, JSON.stringify(event)],
    );
    await notifyStored(c, leases.owner, `action:${actionId}`);
    return r.rows[0]!.seq;
  }

  async function get(c: Queryable, id: string): Promise<ActionRow | undefined> {
    const r = (await c.query<ActionDb>(`${SELECT_ACTION} WHERE a.id = $1`, [id])).rows[0];
    return r ? toActionRow(r) : undefined;
  }

  // The claims that hold an instance for a request in fleet $2: see SAME_FLEET in actions.ts.
  async function inflightAction(c: Queryable, instanceId: string, fleet = ""): Promise<string | undefined> {
    const r = await c.query<{ action_id: string }>(
      `SELECT f.action_id FROM action_inflight f WHERE f.instance_id = $1 AND ($2 = '' OR f.fleet = $2 OR f.fleet = '')
         AND NOT EXISTS (SELECT 1 FROM action_events e WHERE e.action_id = f.action_id AND e.type = 'action-finished')`,
      [instanceId, fleet],
    );
    return r.rows[0]?.action_id;
  }

  async function lockAction(c: Queryable, actionId: string): Promise<void> {
    await c.query(`SELECT 1 FROM actions WHERE id = $1 FOR UPDATE`, [actionId]);
  }

  async function insertRun(c: Queryable, actionId: string): Promise<void> {
    await c.query(`INSERT INTO action_runs (action_id, pid, started_at) VALUES ($1, $2, $3)`, [
      actionId,
      process.pid,
      new Date().toISOString(),
    ]);
  }

  async function applyWrite(c: Queryable, actionId: string, w: ActionWrite): Promise<void> {
    if (w.kind === "command") {
      await c.query(
        `INSERT INTO action_commands (action_id, batch, command_id, instance_ids, sent_at) VALUES ($1, $2, $3, $4, $5)`,
        [actionId, w.batch, w.commandId, JSON.stringify(w.instanceIds), new Date().toISOString()],
      );
      return;
    }
    const o = w.outcome;
    await c.query(
      `INSERT INTO action_outcomes (action_id, instance_id, outcome, command_id, detail, verdict_after, scan_id, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        actionId,
        o.instanceId,
        o.outcome,
        o.commandId ?? null,
        JSON.stringify(o),
        o.verdictAfter ?? null,
        o.scanId ?? null,
        o.at,
      ],
    );
    // An instance with an outcome is free for the next restart.
    await c.query(`DELETE FROM action_inflight WHERE instance_id = $1 AND action_id = $2`, [o.instanceId, actionId]);
  }

  return {
    async inflightAction(instanceId, fleet) {
      return inflightAction(db, instanceId, fleet);
    },

    async createAction(input, decide, started) {
      const answer = await tx(async (c) => {
        await c.query(CLAIMS_LOCK);
        const fleet = input.fleet ?? "";
        const joined = new Map<string, string>();
        const free = new Set<string>();
        for (const id of input.requested) {
          const holder = await inflightAction(c, id, fleet);
          if (holder) joined.set(id, holder);
          else {
            await c.query(
              `DELETE FROM action_inflight f WHERE instance_id = $1 AND ($2 = '' OR f.fleet = $2 OR f.fleet = '')`,
              [id, fleet],
            );
            free.add(id);
          }
        }
        const targets = decide(free, joined);
        // Nothing new to do (every instance already under way): no new action, the caller joins the others.
        if (!targets.some((t) => t.decision !== "joined")) return { targets, created: false };
        await c.query(
          `INSERT INTO actions (id, kind, actor, actor_role, forced, reason, created_at, requested, max_concurrency,
             max_errors, wait_seconds, fleet) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
          [
            input.id,
            input.kind,
            input.actor,
            input.actorRole,
            input.forced ? 1 : 0,
            input.reason ?? null,
            input.createdAt,
            JSON.stringify(input.requested),
            input.maxConcurrency,
            input.maxErrors,
            input.waitSeconds,
            input.fleet ?? null,
          ],
        );
        for (const [n, t] of targets.entries()) {
          await c.query(
            `INSERT INTO action_targets (action_id, instance_id, n, decision, reason, preflight, joined_action)
             VALUES ($1, $2, $3, $4, $5, $6, $7)`,
            [
              input.id,
              t.instanceId,
              n,
              t.decision,
              t.reason ?? null,
              JSON.stringify(t.preflight),
              t.joinedAction ?? null,
            ],
          );
          if (t.decision === "accepted")
            await c.query(`INSERT INTO action_inflight (fleet, instance_id, action_id) VALUES ($1, $2, $3)`, [
              fleet,
              t.instanceId,
              input.id,
            ]);
        }
        await insertRun(c, input.id);
        await leases.acquire(c, "action", input.id);
        await insertEvent(c, input.id, started(targets));
        return { targets, created: true };
      });
      if (answer.created) wake.emit(`action:${input.id}`);
      return answer;
    },

    async appendEvent(actionId, event, write) {
      const seq = await tx(async (c) => {
        await lockAction(c, actionId);
        if (write) await applyWrite(c, actionId, write);
        return insertEvent(c, actionId, event);
      });
      wake.emit(`action:${actionId}`);
      return seq;
    },

    async eventsSince(actionId, afterSeq, limit = 10_000) {
      const r = await db.query<{ seq: number; data: string }>(
        `SELECT seq, data FROM action_events WHERE action_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
        [actionId, afterSeq, limit],
      );
      return r.rows.map((row) => ({ seq: row.seq, event: JSON.parse(row.data) as ActionEvent }));
    },

    onActionEvent(actionId, listener) {
      listen();
      wake.on(`action:${actionId}`, listener);
      return () => wake.off(`action:${actionId}`, listener);
    },

    async finishAction(actionId, end: ActionEnd) {
      const event = await tx(async (c): Promise<ActionEvent | undefined> => {
        await lockAction(c, actionId);
        await leases.release(c, "action", actionId);
        if ((await get(c, actionId))?.status !== "running") return undefined;
        const counts: Partial<Record<InstanceOutcomeKind, number>> = {};
        const kinds = await c.query<{ outcome: InstanceOutcomeKind; n: number }>(
          `SELECT outcome, count(*)::int AS n FROM action_outcomes WHERE action_id = $1 GROUP BY outcome`,
          [actionId],
        );
        for (const r of kinds.rows) counts[r.outcome] = r.n;
        const status = typeof end === "function" ? end(counts) : end;
        const finished: ActionEvent = { type: "action-finished", status, counts, at: new Date().toISOString() };
        await c.query(`DELETE FROM action_inflight WHERE action_id = $1`, [actionId]);
        await insertEvent(c, actionId, finished);
        return finished;
      });
      if (event) wake.emit(`action:${actionId}`);
      return event;
    },

    async get(id) {
      return get(db, id);
    },

    async detail(id): Promise<ActionDetail | undefined> {
      const row = await get(db, id);
      if (!row) return undefined;
      const [targets, commands, outcomes] = await Promise.all([
        db.query<ActionTargetDb>(`SELECT * FROM action_targets WHERE action_id = $1 ORDER BY n`, [id]),
        db.query<ActionCommandDb>(`SELECT * FROM action_commands WHERE action_id = $1 ORDER BY batch`, [id]),
        db.query<{ detail: string }>(
          `SELECT detail FROM action_outcomes WHERE action_id = $1 ORDER BY at, instance_id`,
          [id],
        ),
      ]);
      return {
        ...row,
        targets: targets.rows.map(toActionTarget),
        commands: commands.rows.map(toActionCommand),
        outcomes: outcomes.rows.map((o) => JSON.parse(o.detail) as InstanceOutcome),
      };
    },

    async list(opts = {}) {
      const limit = Math.min(Math.max(opts.limit ?? 50, 1), 500);
      const where: string[] = [];
      const params: unknown[] = [];
      if (opts.fleet !== undefined) {
        params.push(opts.fleet);
        where.push(`a.fleet = $${params.length}`);
      }
      if (opts.instanceId) {
        params.push(opts.instanceId);
        where.push(`a.id IN (SELECT action_id FROM action_targets WHERE instance_id = $${params.length})`);
      }
      params.push(limit);
      const r = await db.query<ActionDb>(
        `${SELECT_ACTION} ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
         ORDER BY a.created_at DESC, a.id DESC LIMIT $${params.length}`,
        params,
      );
      return r.rows.map(toActionRow);
    },

    async unfinished() {
      const r = await db.query<{ id: string }>(`SELECT id FROM actions a WHERE ${UNFINISHED} ORDER BY created_at`);
      return r.rows.map((row) => row.id);
    },

    async takeOver(actionId) {
      return tx(async (c) => {
        await lockAction(c, actionId);
        if ((await get(c, actionId))?.status !== "running") return false;
        // A live lease (this replica's or another's) means someone drives it: the conditional take leaves it alone.
        if (!(await leases.takeIfFree(c, "action", actionId))) return false;
        await insertRun(c, actionId);
        return true;
      });
    },
  };
}
