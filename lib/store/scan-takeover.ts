import type Database from "better-sqlite3";
import type { ScanTakeoverStore } from "./interfaces.ts";
import type { LeaseTable } from "./leases.ts";

/**
 * When a scan whose owner died ends `interrupted` (SQLite): at once for a scan nobody takes over (the CLI's), and
 * one lease later for a server's, so that a live server (sweeping every third of a lease) takes it over first.
 * `@now` is now, `@cutoff` now minus a lease (epoch ms).
 */
export const ABANDONED_SQL = `s.status = 'running' AND (l.id IS NULL OR l.expires_at < CASE WHEN s.takeover = 1 THEN @cutoff ELSE @now END)`;

/** The takeover verbs of a scan whose owner died (SQLite); see ScanTakeoverStore. */
export function scanTakeoverStore(db: Database.Database, leases: LeaseTable): ScanTakeoverStore {
  const q = {
    mark: db.prepare(`UPDATE scans SET takeover = 1 WHERE id = ? AND status = 'running'`),
    orphaned: db.prepare(
      `SELECT s.id FROM scans s JOIN leases l ON l.kind = 'scan' AND l.id = s.id
       WHERE s.status = 'running' AND s.takeover = 1 AND l.expires_at < @now AND l.expires_at >= @cutoff
       ORDER BY s.rowid`,
    ),
    // Only within the lease after its own ran out: past it, interruptAbandonedScans may already have chosen to end
    // it, and a takeover must never race that (on one clock, "past" never becomes "within" again).
    takeable: db.prepare(
      `SELECT 1 FROM scans s JOIN leases l ON l.kind = 'scan' AND l.id = s.id
       WHERE s.id = @id AND s.status = 'running' AND s.takeover = 1 AND l.expires_at >= @cutoff`,
    ),
  };
  return {
    async markScanTakeover(id) {
      q.mark.run(id);
    },
    async orphanedScans() {
      const now = Date.now();
      return (q.orphaned.all({ now, cutoff: now - leases.ttlMs }) as { id: string }[]).map((r) => r.id);
    },
    async takeOverScan(id) {
      // One immediate transaction: of two processes trying at once, the second finds the lease live.
      return db
        .transaction(() =>
          q.takeable.get({ id, cutoff: Date.now() - leases.ttlMs }) ? leases.takeIfFree("scan", id) : false,
        )
        .immediate();
    },
  };
}
