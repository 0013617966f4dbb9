import type Database from "better-sqlite3";

export type LeaseKind = "scan" | "action";

/**
 * The `leases` table for one owner (SQLite). Ownership of running work lives here, never in a pid or a process's
 * memory: the owner renews its leases with a heartbeat, and a lease whose `expires_at` has passed belongs to nobody.
 * The AbortControllers are only this process's way of telling its own running work "stop" (a cancel asked from
 * anywhere, or the lease lost); they decide nothing about ownership. Call only inside the store's transactions.
 */
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
  };
  const local = new Map<string, AbortController>();
  const key = (kind: LeaseKind, id: string) => `${kind}:${id}`;

  function controller(kind: LeaseKind, id: string): AbortController {
    let c = local.get(key(kind, id));
    if (!c) {
      c = new AbortController();
      local.set(key(kind, id), c);
    }
    return c;
  }

  return {
    owner,
    ttlMs,
    /** Takes (or renews) the lease for this owner. */
    acquire(kind: LeaseKind, id: string): void {
      const now = Date.now();
      q.upsert.run(kind, id, owner, now, now + ttlMs);
      controller(kind, id);
    },
    /** Whether someone holds a lease that has not expired: `mine` when it is this owner. */
    holder(kind: LeaseKind, id: string): "mine" | "other" | undefined {
      const r = q.get.get(kind, id) as { owner: string; expires_at: number } | undefined;
      if (!r || r.expires_at < Date.now()) return undefined;
      return r.owner === owner ? "mine" : "other";
    },
    release(kind: LeaseKind, id: string): void {
      q.release.run(kind, id);
      local.delete(key(kind, id));
    },
    /** Asks the live holder to stop; aborts at once when that is this process. False when nobody live holds it. */
    requestCancel(kind: LeaseKind, id: string): boolean {
      const asked = q.requestCancel.run(kind, id, Date.now()).changes > 0;
      if (asked && local.has(key(kind, id))) local.get(key(kind, id))!.abort(new Error("cancelled"));
      return asked;
    },
    signal(kind: LeaseKind, id: string): AbortSignal {
      return controller(kind, id).signal;
    },
    /**
     * The heartbeat: renews every lease this owner holds, then aborts local work whose cancel was asked for (by
     * any process) or whose lease is gone (it expired and another process ended or took over the work).
     */
    heartbeat(): void {
      const now = Date.now();
      q.renew.run(now, now + ttlMs, owner);
      const held = new Map(
        (q.mine.all(owner) as { kind: LeaseKind; id: string; cancel_requested: number }[]).map((r) => [
          key(r.kind, r.id),
          r.cancel_requested === 1,
        ]),
      );
      for (const [k, c] of local) {
        if (!held.has(k)) {
          c.abort(new Error("lease lost"));
          local.delete(k);
        } else if (held.get(k)) c.abort(new Error("cancelled"));
      }
    },
  };
}

export type LeaseTable = ReturnType<typeof leaseTable>;
