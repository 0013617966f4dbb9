import type pg from "pg";
import type { ScanTakeoverStore } from "./interfaces.ts";
import type { PgLeaseTable } from "./leases.ts";
import { NOW_MS, type Queryable } from "./pg.ts";

/** As ABANDONED_SQL (scan-takeover.ts) with the database's clock; `$1` is a lease (ms). */
export const PG_ABANDONED_SQL = `s.status = 'running' AND (l.id IS NULL OR l.expires_at < ${NOW_MS} - CASE WHEN s.takeover = 1 THEN $1::bigint ELSE 0 END)`;

/** The takeover verbs of a scan whose owner died (PostgreSQL); see ScanTakeoverStore. */
export function pgScanTakeoverStore(
  db: Queryable,
  tx: <T>(fn: (c: pg.PoolClient) => Promise<T>) => Promise<T>,
  leases: PgLeaseTable,
): ScanTakeoverStore {
  return {
    async markScanTakeover(id) {
      await db.query(`UPDATE scans SET takeover = 1 WHERE id = $1 AND status = 'running'`, [id]);
    },
    async orphanedScans() {
      const r = await db.query<{ id: string }>(
        `SELECT s.id FROM scans s JOIN leases l ON l.kind = 'scan' AND l.id = s.id
         WHERE s.status = 'running' AND s.takeover = 1 AND l.expires_at < ${NOW_MS}
           AND l.expires_at >= ${NOW_MS} - $1 ORDER BY s.started_at`,
        [leases.ttlMs],
      );
      return r.rows.map((row) => row.id);
    },
    async takeOverScan(id) {
      // The scan's row locked, then one conditional upsert of its lease: of two replicas, one takes it.
      return tx(async (c) => {
        // Only within the lease after its own ran out (as the SQLite store's): never racing its interruption.
        const r = await c.query(
          `SELECT 1 FROM scans s JOIN leases l ON l.kind = 'scan' AND l.id = s.id
           WHERE s.id = $1 AND s.status = 'running' AND s.takeover = 1 AND l.expires_at >= ${NOW_MS} - $2
           FOR UPDATE OF s`,
          [id, leases.ttlMs],
        );
        if ((r.rowCount ?? 0) === 0) return false;
        return leases.takeIfFree(c, "scan", id);
      });
    },
  };
}
