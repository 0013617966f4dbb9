import pg from "pg";
import { FleetDoctorError } from "../errors.ts";
import { MIGRATIONS, type Migration } from "./migrations/index.ts";

/*
 * PostgreSQL plumbing for the store: the pool, transactions, the database's clock and the migrations. Every query
 * of the PostgreSQL store goes through a pool (several replicas and several requests at once); a verb that writes
 * more than one row takes one client for one transaction and gives it back, so nothing is ever half-written.
 */

/** What runs a query: the pool, or one transaction's client. */
export type Queryable = {
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<T>>;
};

/** Epoch milliseconds on the database's clock: every replica measures leases against the same one. */
export const NOW_MS = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint";

export function openPool(url: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max });
  // An idle client whose server went away emits here; without a listener that would end the process. The next
  // query gets a fresh client and fails or succeeds on its own.
  pool.on("error", (e) => console.error("[fleet-doctor] idle PostgreSQL client failed:", e.message));
  return pool;
}

/** Runs `fn` in one transaction on one client of the pool: committed when it returns, rolled back when it throws. */
export async function inTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query("BEGIN");
    const out = await fn(c);
    await c.query("COMMIT");
    return out;
  } catch (e) {
    await c.query("ROLLBACK").catch(() => {});
    throw e;
  } finally {
    c.release();
  }
}

/** Engine-neutral SQL fragments use `?`; PostgreSQL numbers its parameters. The fragments hold no other `?`. */
export function numbered(sql: string, from = 1): string {
  let n = from - 1;
  return sql.replace(/\?/g, () => `$${++n}`);
}

// One key for every Fleet Doctor database: replicas starting together queue on it, the first migrates, the others
// then find every step recorded.
const MIGRATION_LOCK = "hashtext('fleet-doctor:migrations')";

/**
 * Applies the steps not yet recorded in `schema_migrations` (each in its own transaction) while holding a session
 * advisory lock, so that two replicas starting at once migrate once; returns the ids this call applied.
 */
export async function migratePg(pool: pg.Pool, migrations: Pick<Migration, "id" | "pg">[] = MIGRATIONS) {
  const seen = new Set<string>();
  for (const m of migrations) {
    if (seen.has(m.id)) throw new FleetDoctorError("INTERNAL", `Duplicate migration id ${m.id}`);
    seen.add(m.id);
  }
  const c = await pool.connect();
  const applied: string[] = [];
  try {
    await c.query(`SELECT pg_advisory_lock(${MIGRATION_LOCK})`);
    try {
      await c.query(
        `CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT COLLATE "C" PRIMARY KEY, applied_at TEXT NOT NULL)`,
      );
      const done = new Set((await c.query<{ id: string }>("SELECT id FROM schema_migrations")).rows.map((r) => r.id));
      for (const m of migrations) {
        if (done.has(m.id)) continue;
        await c.query("BEGIN");
        try {
          await c.query(m.pg);
          await c.query("INSERT INTO schema_migrations (id, applied_at) VALUES ($1, $2)", [
            m.id,
            new Date().toISOString(),
          ]);
          await c.query("COMMIT");
        } catch (e) {
          await c.query("ROLLBACK");
          throw e;
        }
        applied.push(m.id);
      }
    } finally {
      await c.query(`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`);
    }
  } finally {
    c.release();
  }
  return applied;
}
