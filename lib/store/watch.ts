import type Database from "better-sqlite3";
import type { Verdict } from "../diagnosis/types.ts";
import type { LatestSeen, StoredWatchState, WatchStore } from "./interfaces.ts";

export type SeenDb = {
  instance_id: string;
  verdict: Verdict;
  lifecycle_state: string | null;
  ping_status: string;
  registered: number | null;
  probed_at: string;
};

// The same SQL on both engines (`?` becomes `$n` on PostgreSQL).
export const LATEST_SEEN = `SELECT instance_id, verdict, lifecycle_state, ping_status, registered, probed_at FROM latest`;
export const SAVE = `INSERT INTO watch_state (name, state, updated_at) VALUES (?, ?, ?)
  ON CONFLICT (name) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`;
export const READ = `SELECT state FROM watch_state WHERE name = ?`;

export function seen(r: SeenDb): LatestSeen {
  return {
    instanceId: r.instance_id,
    verdict: r.verdict,
    ...(r.lifecycle_state !== null ? { lifecycleState: r.lifecycle_state } : {}),
    pingStatus: r.ping_status,
    ...(r.registered !== null && r.registered !== undefined ? { registered: Number(r.registered) === 1 } : {}),
    probedAt: r.probed_at,
  };
}

export const parse = (state: string | undefined) => (state ? (JSON.parse(state) as StoredWatchState) : undefined);

/** The watcher's queries on SQLite (see migrations/watch-001.ts). */
export function watchQueries(db: Database.Database): WatchStore {
  const q = { seen: db.prepare(LATEST_SEEN), save: db.prepare(SAVE), read: db.prepare(READ) };
  return {
    async saveWatchState(name, state) {
      q.save.run(name, JSON.stringify(state), new Date().toISOString());
    },
    async watchState(name) {
      return parse((q.read.get(name) as { state: string } | undefined)?.state);
    },
    async latestSeen() {
      return (q.seen.all() as SeenDb[]).map(seen);
    },
  };
}
