import type { SweepStore } from "./interfaces.ts";
import type { Queryable } from "./pg.ts";
import { entryParams, MAX_SWEEPS, newSweep, type SweepDb, type SweepFleetDb, toSweep } from "./sweeps.ts";

/**
 * The PostgreSQL implementation of SweepStore: a sweep and its fleets are inserted by one statement (a CTE), so no
 * reader ever sees a sweep without its fleets; a list reads every listed sweep's fleets in one more query.
 */
export function pgSweepStore(db: Queryable): SweepStore {
  async function withFleets(rows: SweepDb[]) {
    if (rows.length === 0) return [];
    const f = await db.query<SweepFleetDb>(
      `SELECT * FROM sweep_fleets WHERE sweep_id = ANY($1::text[]) ORDER BY sweep_id, position`,
      [rows.map((r) => r.id)],
    );
    return rows.map((r) =>
      toSweep(
        r,
        f.rows.filter((x) => x.sweep_id === r.id),
      ),
    );
  }
  return {
    async create(input) {
      const row = newSweep(input);
      const fleets = [...new Set(input.fleets)];
      await db.query(
        `WITH s AS (
           INSERT INTO sweeps (id, status, actor, targets, fleets, started_at) VALUES ($1, $2, $3, $4, $5, $6)
           RETURNING id
         )
         INSERT INTO sweep_fleets (sweep_id, fleet, position)
         SELECT s.id, f.fleet, (f.i - 1)::int FROM s, unnest($7::text[]) WITH ORDINALITY AS f(fleet, i)`,
        [row.id, row.status, row.actor, row.targets, row.fleets, row.started_at, fleets],
      );
      return (await this.get(row.id))!;
    },
    async recordFleet(sweepId, entry) {
      const p = entryParams(sweepId, entry);
      await db.query(
        `UPDATE sweep_fleets SET scan_id = $3, joined = $4, error_code = $5, error = $6
         WHERE sweep_id = $1 AND fleet = $2`,
        [p.sweep_id, p.fleet, p.scan_id, p.joined, p.error_code, p.error],
      );
    },
    async finish(sweepId, status) {
      const r = await db.query(`UPDATE sweeps SET status = $1, finished_at = $2 WHERE id = $3 AND status = 'running'`, [
        status,
        new Date().toISOString(),
        sweepId,
      ]);
      return r.rowCount === 1;
    },
    async get(id) {
      const r = await db.query<SweepDb>(`SELECT * FROM sweeps WHERE id = $1`, [id]);
      return (await withFleets(r.rows))[0];
    },
    async list(opts = {}) {
      const limit = Math.min(Math.max(opts.limit ?? 50, 1), MAX_SWEEPS);
      const r = opts.before
        ? await db.query<SweepDb>(
            `SELECT * FROM sweeps WHERE n < (SELECT n FROM sweeps WHERE id = $1) ORDER BY n DESC LIMIT $2`,
            [opts.before, limit],
          )
        : await db.query<SweepDb>(`SELECT * FROM sweeps ORDER BY n DESC LIMIT $1`, [limit]);
      return withFleets(r.rows);
    },
  };
}
