import type Database from "better-sqlite3";
import type pg from "pg";
import { NOW_MS, type Queryable } from "./pg.ts";

/** `leader`: the leadership of background work (lib/leader.ts), one row per name. */
export type LeaseKind = "scan" | "action" | "leader";

/**
 * The `leases` table for one owner (SQLite). Ownership of running work lives here, never in a pid or a process's
 * memory: the owner renews its leases with a heartbeat, and a lease whose `expires_at` has passed belongs to nobody.
 * The AbortControllers are only this process's way of telling its own running work "stop" (a cancel asked from
 * anywhere, or the lease lost); they decide nothing about ownership. Call only inside the store's transactions.
 */
type HeldLease = { kind: LeaseKind; id: string; cancel_requested: number };

/**
 * This process's side of its leases, the same for both engines: an AbortController per lease its work listens to,
 * aborted when the lease is released, cancelled, or found lost by the heartbeat.
 */
function localSignals() {
  const local = new Map<string, AbortController>();
  const key = (kind: LeaseKind, id: string) => `${kind}:${id}`;
  return {
    signal(kind: LeaseKind, id: string): AbortSignal {
      let c = local.get(key(kind, id));
      if (!c) {
        c = new AbortController();
        local.set(key(kind, id), c);
      }
      return c.signal;
    },
    forget(kind: LeaseKind, id: string) {
      local.delete(key(kind, id));
    },
    stop(kind: LeaseKind, id: string, why: string) {
      local.get(key(kind, id))?.abort(new Error(why));
      local.delete(key(kind, id));
    },
    cancel(kind: LeaseKind, id: string) {
      local.get(key(kind, id))?.abort(new Error("cancelled"));
    },
    /** After a heartbeat: `held` is every lease this owner still holds; work on any other one has lost it. */
    reconcile(held: HeldLease[]) {
      const byKey = new Map(held.map((r) => [key(r.kind, r.id), r.cancel_requested === 1]));
      for (const [k, c] of local) {
        if (!byKey.has(k)) {
          c.abort(new Error("lease lost"));
          local.delete(k);
        } else if (byKey.get(k)) c.abort(new Error("cancelled"));
      }
    },
  };
}

export function leaseTable(db: Database.Database, owner: string, ttlMs: number) {
  const q = {
    upsert: db.prepare(
      `INSERT INTO leases (kind, id, owner, heartbeat_at, expires_at, cancel_requested) VALUES (?, ?, ?, ?, ?, 0)
       ON CONFLICT (kind, id) DO UPDATE SET owner = excluded.owner, heartbeat_at = excluded.heartbeat_at,
         expires_at = excluded.expires_at, cancel_requested = 0`,
    ),
    get: db.prepare(`SELECT owner, expires_at FROM leases WHERE kind = ? AND id = ?`),
    release: db.prepare(`DELETE FROM leases WHERE kind = ? AND id = ?`),
    renew: db.prepare(`UPDATE leases SET heartbeat_at = ?, expires_at = ? WHERE owner = ?`),
    mine: db.prepare(`SELECT kind, id, cancel_requested FROM leases WHERE owner = ?`),
    requestCancel: db.prepare(`UPDATE leases SET cancel_requested = 1 WHERE kind = ? AND id = ? AND expires_at >= ?`),
    takeIfFree: db.prepare(
      `INSERT INTO leases (kind, id, owner, heartbeat_at, expires_at, cancel_requested) VALUES (?, ?, ?, ?, ?, 0)
       ON CONFLICT (kind, id) DO UPDATE SET owner = excluded.owner, heartbeat_at = excluded.heartbeat_at,
         expires_at = excluded.expires_at, cancel_requested = 0
       WHERE leases.expires_at < excluded.heartbeat_at`,
    ),
    live: db.prepare(`SELECT owner, expires_at FROM leases WHERE kind = ? AND id = ? AND expires_at >= ?`),
    releaseMine: db.prepare(`DELETE FROM leases WHERE kind = ? AND id = ? AND owner = ?`),
  };
  const local = localSignals();

  return {
    owner,
    ttlMs,
    /** Takes (or renews) the lease for this owner. */
    acquire(kind: LeaseKind, id: string): void {
      const now = Date.now();
      q.upsert.run(kind, id, owner, now, now + ttlMs);
      local.signal(kind, id);
    },
    /** Whether someone holds a lease that has not expired: `mine` when it is this owner. */
    holder(kind: LeaseKind, id: string): "mine" | "other" | undefined {
      const r = q.get.get(kind, id) as { owner: string; expires_at: number } | undefined;
      if (!r || r.expires_at < Date.now()) return undefined;
      return r.owner === owner ? "mine" : "other";
    },
    release(kind: LeaseKind, id: string): void {
      q.release.run(kind, id);
      local.forget(kind, id);
    },
    /** Takes the lease only when nobody live holds it (as pgLeaseTable's): true when this owner took it. */
    takeIfFree(kind: LeaseKind, id: string): boolean {
      const now = Date.now();
      return q.takeIfFree.run(kind, id, owner, now, now + ttlMs).changes > 0;
    },
    /** The live holder of a lease and when it runs out (epoch ms), if anyone holds it. */
    live(kind: LeaseKind, id: string): { owner: string; expiresAt: number } | undefined {
      const r = q.live.get(kind, id, Date.now()) as { owner: string; expires_at: number } | undefined;
      return r ? { owner: r.owner, expiresAt: r.expires_at } : undefined;
    },
    /** Gives the lease up when this owner holds it (never another's); this process's work on it is told to stop. */
    releaseMine(kind: LeaseKind, id: string): void {
      q.releaseMine.run(kind, id, owner);
      local.stop(kind, id, "released");
    },
    /** Asks the live holder to stop; aborts at once when that is this process. False when nobody live holds it. */
    requestCancel(kind: LeaseKind, id: string): boolean {
      const asked = q.requestCancel.run(kind, id, Date.now()).changes > 0;
      if (asked) local.cancel(kind, id);
      return asked;
    },
    signal(kind: LeaseKind, id: string): AbortSignal {
      return local.signal(kind, id);
    },
    /**
     * The heartbeat: renews every lease this owner holds, then aborts local work whose cancel was asked for (by
     * any process) or whose lease is gone (it expired and another process ended or took over the work).
     */
    heartbeat(): void {
      const now = Date.now();
      q.renew.run(now, now + ttlMs, owner);
      local.reconcile(q.mine.all(owner) as HeldLease[]);
    },
  };
}

export type LeaseTable = ReturnType<typeof leaseTable>;

/**
 * The `leases` table for one owner (PostgreSQL): the same semantics as `leaseTable`, with every time read from the
 * database's clock (NOW_MS) so that replicas never disagree on expiry. Verbs that belong to a unit of work take that
 * unit's transaction client; taking over is one conditional upsert, so of two replicas trying at once one wins.
 * The local AbortController of a lease is made when its work first asks for the signal, never inside the
 * transaction that takes the lease: a heartbeat on another connection could not see that lease before the COMMIT
 * and would take it for lost.
 */
export function pgLeaseTable(pool: pg.Pool, owner: string, ttlMs: number) {
  const local = localSignals();

  return {
    owner,
    ttlMs,
    async acquire(c: Queryable, kind: LeaseKind, id: string): Promise<void> {
      await c.query(
        `INSERT INTO leases (kind, id, owner, heartbeat_at, expires_at, cancel_requested)
         VALUES ($1, $2, $3, ${NOW_MS}, ${NOW_MS} + $4, 0)
         ON CONFLICT (kind, id) DO UPDATE SET owner = excluded.owner, heartbeat_at = excluded.heartbeat_at,
           expires_at = excluded.expires_at, cancel_requested = 0`,
        [kind, id, owner, ttlMs],
      );
    },
    /**
     * Takes the lease only when nobody live holds it (no row, or one whose expiry has passed, this owner's too):
     * the row lock of the upsert makes a second taker wait and then find a live lease.
     */
    async takeIfFree(c: Queryable, kind: LeaseKind, id: string): Promise<boolean> {
      const r = await c.query(
        `INSERT INTO leases (kind, id, owner, heartbeat_at, expires_at, cancel_requested)
         VALUES ($1, $2, $3, ${NOW_MS}, ${NOW_MS} + $4, 0)
         ON CONFLICT (kind, id) DO UPDATE SET owner = excluded.owner, heartbeat_at = excluded.heartbeat_at,
           expires_at = excluded.expires_at, cancel_requested = 0
         WHERE leases.expires_at < ${NOW_MS}`,
        [kind, id, owner, ttlMs],
      );
      return (r.rowCount ?? 0) > 0;
    },
    async holder(c: Queryable, kind: LeaseKind, id: string): Promise<"mine" | "other" | undefined> {
      const r = await c.query<{ owner: string }>(
        `SELECT owner FROM leases WHERE kind = $1 AND id = $2 AND expires_at >= ${NOW_MS}`,
        [kind, id],
      );
      const row = r.rows[0];
      if (!row) return undefined;
      return row.owner === owner ? "mine" : "other";
    },
    async release(c: Queryable, kind: LeaseKind, id: string): Promise<void> {
      await c.query(`DELETE FROM leases WHERE kind = $1 AND id = $2`, [kind, id]);
      local.forget(kind, id);
    },
    async live(c: Queryable, kind: LeaseKind, id: string): Promise<{ owner: string; expiresAt: number } | undefined> {
      const r = await c.query<{ owner: string; expires_at: string }>(
        `SELECT owner, expires_at FROM leases WHERE kind = $1 AND id = $2 AND expires_at >= ${NOW_MS}`,
        [kind, id],
      );
      const row = r.rows[0];
      return row ? { owner: row.owner, expiresAt: Number(row.expires_at) } : undefined;
    },
    async releaseMine(c: Queryable, kind: LeaseKind, id: string): Promise<void> {
      await c.query(`DELETE FROM leases WHERE kind = $1 AND id = $2 AND owner = $3`, [kind, id, owner]);
      local.stop(kind, id, "released");
    },
    async requestCancel(kind: LeaseKind, id: string): Promise<boolean> {
      const r = await pool.query(
        `UPDATE leases SET cancel_requested = 1 WHERE kind = $1 AND id = $2 AND expires_at >= ${NOW_MS}`,
        [kind, id],
      );
      const asked = (r.rowCount ?? 0) > 0;
      if (asked) local.cancel(kind, id);
      return asked;
    },
    signal(kind: LeaseKind, id: string): AbortSignal {
      return local.signal(kind, id);
    },
    /** As `leaseTable`'s: renew every lease of this owner, then abort local work cancelled or no longer held. */
    async heartbeat(): Promise<void> {
      await pool.query(`UPDATE leases SET heartbeat_at = ${NOW_MS}, expires_at = ${NOW_MS} + $2 WHERE owner = $1`, [
        owner,
        ttlMs,
      ]);
      const mine = await pool.query<{ kind: LeaseKind; id: string; cancel_requested: number }>(
        `SELECT kind, id, cancel_requested FROM leases WHERE owner = $1`,
        [owner],
      );
      local.reconcile(mine.rows);
    },
  };
}

export type PgLeaseTable = ReturnType<typeof pgLeaseTable>;
