import type { Migration } from "./types.ts";

/**
 * Sweeps: one scan over several fleets, seen by an operator as one unit. Each fleet keeps its own scan row (its
 * lease, takeover, gone marking and ECS join are per fleet, as before); a sweep groups them. `sweep_fleets` holds one
 * row per fleet the sweep asked for: the scan that read it (one the sweep started, or a running one it joined, so a
 * scan may belong to several sweeps: hence a table rather than a column on `scans`), or the error that kept it from
 * being read (a role that cannot be assumed, an unreachable account), which is that fleet's alone.
 */
export const sweeps001: Migration = {
  id: "sweeps-001",
  up(db) {
    db.exec(`
      CREATE TABLE sweeps (
        n INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL,
        actor TEXT,
        targets TEXT NOT NULL,
        fleets TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT
      );

      CREATE TABLE sweep_fleets (
        sweep_id TEXT NOT NULL REFERENCES sweeps(id),
        fleet TEXT NOT NULL,
        position INTEGER NOT NULL,
        scan_id TEXT,
        joined INTEGER NOT NULL DEFAULT 0,
        error_code TEXT,
        error TEXT,
        PRIMARY KEY (sweep_id, fleet)
      ) WITHOUT ROWID;

      CREATE INDEX sweep_fleets_scan ON sweep_fleets(scan_id);
    `);
  },
  pg: `
    CREATE TABLE sweeps (
      n BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      id TEXT COLLATE "C" NOT NULL UNIQUE,
      status TEXT NOT NULL,
      actor TEXT,
      targets TEXT NOT NULL,
      fleets TEXT NOT NULL,
      started_at TEXT COLLATE "C" NOT NULL,
      finished_at TEXT COLLATE "C"
    );

    CREATE TABLE sweep_fleets (
      sweep_id TEXT COLLATE "C" NOT NULL REFERENCES sweeps(id),
      fleet TEXT COLLATE "C" NOT NULL,
      position INTEGER NOT NULL,
      scan_id TEXT COLLATE "C",
      joined INTEGER NOT NULL DEFAULT 0,
      error_code TEXT,
      error TEXT,
      PRIMARY KEY (sweep_id, fleet)
    );

    CREATE INDEX sweep_fleets_scan ON sweep_fleets(scan_id);
  `,
};
