import type { Migration } from "./types.ts";

/**
 * Leases: who runs a scan or drives an action, until when. The owner renews `expires_at` with a heartbeat; once it
 * has passed, any process may mark the scan interrupted or take the action over. `cancel_requested` is how another
 * process asks the owner to stop (its heartbeat reads it). Times are epoch milliseconds.
 */
export const leases001: Migration = {
  id: "leases-001",
  up(db) {
    db.exec(`
      CREATE TABLE leases (
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        owner TEXT NOT NULL,
        heartbeat_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        cancel_requested INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (kind, id)
      ) WITHOUT ROWID;
      CREATE INDEX leases_owner ON leases(owner);
    `);
  },
  // PostgreSQL: the same table; the times come from the database's clock (lib/store/leases.ts, NOW_MS), so
  // replicas whose clocks differ still agree on when a lease ran out.
  pg: `
    CREATE TABLE leases (
      kind TEXT COLLATE "C" NOT NULL,
      id TEXT COLLATE "C" NOT NULL,
      owner TEXT COLLATE "C" NOT NULL,
      heartbeat_at BIGINT NOT NULL,
      expires_at BIGINT NOT NULL,
      cancel_requested INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (kind, id)
    );
    CREATE INDEX leases_owner ON leases(owner);
  `,
};
