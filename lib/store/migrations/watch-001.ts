import type { Migration } from "./types.ts";

/**
 * The watcher's state (lib/watch): one row per watcher name, written by the leader after each look and read by any
 * replica for GET /api/watch. `state` is the JSON of StoredWatchState (lib/store/interfaces.ts); `updated_at` is
 * ISO-8601 text on both engines.
 */
export const watch001: Migration = {
  id: "watch-001",
  up(db) {
    db.exec(`
      CREATE TABLE watch_state (
        name TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
    `);
  },
  pg: `
    CREATE TABLE watch_state (
      name TEXT COLLATE "C" PRIMARY KEY,
      state TEXT NOT NULL,
      updated_at TEXT COLLATE "C" NOT NULL
    );
  `,
};
