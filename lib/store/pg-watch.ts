import type { WatchStore } from "./interfaces.ts";
import type { Queryable } from "./pg.ts";
import { LATEST_SEEN, parse, READ, SAVE, type SeenDb, seen } from "./watch.ts";

const numbered = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

/** The watcher's queries on PostgreSQL: the SQLite ones (watch.ts) with numbered parameters. */
export function pgWatchQueries(db: Queryable): WatchStore {
  return {
    async saveWatchState(name, state) {
      await db.query(numbered(SAVE), [name, JSON.stringify(state), new Date().toISOString()]);
    },
    async watchState(name) {
      return parse((await db.query<{ state: string }>(numbered(READ), [name])).rows[0]?.state);
    },
    async latestSeen() {
      return (await db.query<SeenDb>(LATEST_SEEN)).rows.map(seen);
    },
  };
}
