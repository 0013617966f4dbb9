import type Database from "better-sqlite3";
import type { Store } from "../store/store.ts";
import type {
  ActionDetail,
  ActionEvent,
  ActionKind,
  ActionRow,
  ActionStatus,
  ActionTarget,
  InstanceOutcome,
  StoredActionEvent,
} from "./types.ts";

type ActionDb = {
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
  finished: string | null;
};

const SELECT_ACTION = `SELECT a.*, (SELECT data FROM action_events e WHERE e.action_id = a.id AND e.type = 'action-finished') AS finished FROM actions a`;

/** True when a process with this id exists (EPERM: it exists but is not ours). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function toRow(r: ActionDb): ActionRow {
  const fin = r.finished ? (JSON.parse(r.finished) as Extract<ActionEvent, { type: "action-finished" }>) : undefined;
  return {
    id: r.id,
    kind: r.kind,
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

/**
 * The actions' tables, over the shared store's connection. Writes that belong together run in one transaction;
 * the claim of instances runs in an IMMEDIATE one so that two requests (two tabs, the CLI and the dashboard)
 * can never both claim the same instance.
 */
export function actionStore(store: Store) {
  const db: Database.Database = store.db;
  const q = {
    insertAction: db.prepare(
      `INSERT INTO actions (id, kind, actor, actor_role, forced, reason, created_at, requested, max_concurrency, max_errors, wait_seconds)
       VALUES (@id, @kind, @actor, @actorRole, @forced, @reason, @createdAt, @requested, @maxConcurrency, @maxErrors, @waitSeconds)`,
    ),
    insertTarget: db.prepare(
      `INSERT INTO action_targets (action_id, instance_id, n, decision, reason, preflight, joined_action) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    inflight: db.prepare(
      `SELECT f.action_id FROM action_inflight f WHERE f.instance_id = ?
         AND NOT EXISTS (SELECT 1 FROM action_events e WHERE e.action_id = f.action_id AND e.type = 'action-finished')`,
    ),
    deleteStaleLock: db.prepare(`DELETE FROM action_inflight WHERE instance_id = ?`),
    lock: db.prepare(`INSERT INTO action_inflight (instance_id, action_id) VALUES (?, ?)`),
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
    targets: db.prepare(`SELECT * FROM action_targets WHERE action_id = ? ORDER BY n`),
    commands: db.prepare(`SELECT * FROM action_commands WHERE action_id = ? ORDER BY batch`),
    outcomes: db.prepare(`SELECT detail FROM action_outcomes WHERE action_id = ? ORDER BY at, instance_id`),
    unfinished: db.prepare(
      `SELECT id FROM actions a WHERE NOT EXISTS (SELECT 1 FROM action_events e WHERE e.action_id = a.id AND e.type = 'action-finished') ORDER BY created_at`,
    ),
    lastRun: db.prepare(`SELECT pid FROM action_runs WHERE action_id = ? ORDER BY id DESC LIMIT 1`),
    insertRun: db.prepare(`INSERT INTO action_runs (action_id, pid, started_at) VALUES (?, ?, ?)`),
  };

  function appendEvent(actionId: string, event: ActionEvent): number {
    const { seq } = q.nextSeq.get(actionId) as { seq: number };
    q.insertEvent.run(actionId, seq, event.type, event.at, JSON.stringify(event));
    return seq;
  }

  function get(id: string): ActionRow | undefined {
    const r = q.get.get(id) as ActionDb | undefined;
    return r ? toRow(r) : undefined;
  }

  return {
    /** The unfinished action already restarting this instance, if any. */
    inflightAction(instanceId: string): string | undefined {
      return (q.inflight.get(instanceId) as { action_id: string } | undefined)?.action_id;
    },

    /**
     * Creates the action in one IMMEDIATE transaction: instances another unfinished action holds become `joined`,
     * the others are locked to this action. `decide` gets the ids still free and returns each target's decision.
     */
    createAction(
      input: Omit<ActionRow, "status" | "counts" | "finishedAt">,
      decide: (free: Set<string>, joined: Map<string, string>) => ActionTarget[],
      started: (targets: ActionTarget[]) => ActionEvent,
    ): { targets: ActionTarget[]; created: boolean } {
      return db
        .transaction(() => {
          const joined = new Map<string, string>();
          const free = new Set<string>();
          for (const id of input.requested) {
            const holder = this.inflightAction(id);
            if (holder) joined.set(id, holder);
            else {
              q.deleteStaleLock.run(id);
              free.add(id);
            }
          }
          const targets = decide(free, joined);
          // Nothing new to do (every instance already under way): no new action, the caller joins the others.
          if (!targets.some((t) => t.decision !== "joined")) return { targets, created: false };
          q.insertAction.run({
            id: input.id,
            kind: input.kind,
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
            if (t.decision === "accepted") q.lock.run(t.instanceId, input.id);
          }
          q.insertRun.run(input.id, process.pid, new Date().toISOString());
          appendEvent(input.id, started(targets));
          return { targets, created: true };
        })
        .immediate();
    },

    appendEvent(actionId: string, event: ActionEvent, write?: () => void): number {
      return db.transaction(() => {
        write?.();
        return appendEvent(actionId, event);
      })();
    },

    eventsSince(actionId: string, afterSeq: number, limit = 10_000): StoredActionEvent[] {
      return (q.eventsSince.all(actionId, afterSeq, limit) as { seq: number; data: string }[]).map((r) => ({
        seq: r.seq,
        event: JSON.parse(r.data) as ActionEvent,
      }));
    },

    recordCommand(actionId: string, batch: number, commandId: string, instanceIds: string[]): void {
      q.insertCommand.run(actionId, batch, commandId, JSON.stringify(instanceIds), new Date().toISOString());
    },

    /** Stores an instance's outcome and releases its lock. */
    recordOutcome(actionId: string, o: InstanceOutcome): void {
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
      q.unlock.run(o.instanceId, actionId);
    },

    releaseAll(actionId: string): void {
      q.unlockAll.run(actionId);
    },

    get,

    detail(id: string): ActionDetail | undefined {
      const row = get(id);
      if (!row) return undefined;
      const targets = (
        q.targets.all(id) as {
          instance_id: string;
          decision: ActionTarget["decision"];
          reason: string | null;
          preflight: string;
          joined_action: string | null;
        }[]
      ).map(
        (t): ActionTarget => ({
          instanceId: t.instance_id,
          decision: t.decision,
          ...(t.reason ? { reason: t.reason } : {}),
          preflight: JSON.parse(t.preflight),
          ...(t.joined_action ? { joinedAction: t.joined_action } : {}),
        }),
      );
      const commands = (
        q.commands.all(id) as { batch: number; command_id: string; instance_ids: string; sent_at: string }[]
      ).map((c) => ({
        batch: c.batch,
        commandId: c.command_id,
        instanceIds: JSON.parse(c.instance_ids) as string[],
        sentAt: c.sent_at,
      }));
      const outcomes = (q.outcomes.all(id) as { detail: string }[]).map((o) => JSON.parse(o.detail) as InstanceOutcome);
      return { ...row, targets, commands, outcomes };
    },

    list(opts: { limit?: number; instanceId?: string } = {}): ActionRow[] {
      const limit = Math.min(Math.max(opts.limit ?? 50, 1), 500);
      const rows = (opts.instanceId ? q.listForInstance.all(opts.instanceId, limit) : q.list.all(limit)) as ActionDb[];
      return rows.map(toRow);
    },

    unfinished(): string[] {
      return (q.unfinished.all() as { id: string }[]).map((r) => r.id);
    },

    /**
     * Takes over an unfinished action whose driving process is gone (atomically: of two processes resuming at
     * once, one wins). Returns false if a live process still drives it.
     */
    takeOver(actionId: string, runningHere: boolean): boolean {
      return db
        .transaction(() => {
          if (runningHere) return false;
          const last = q.lastRun.get(actionId) as { pid: number } | undefined;
          // Our own pid on the row but not running here: a previous process that had the same pid (containers).
          if (last && last.pid !== process.pid && processAlive(last.pid)) return false;
          q.insertRun.run(actionId, process.pid, new Date().toISOString());
          return true;
        })
        .immediate();
    },
  };
}

export type ActionStore = ReturnType<typeof actionStore>;
