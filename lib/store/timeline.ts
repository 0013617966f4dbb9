import type Database from "better-sqlite3";
import type { TimelineBucket, TimelineStore } from "./interfaces.ts";
import { numbered, type Queryable } from "./pg.ts";

/*
 * The overview's timeline of failures found and healed, for both engines: one engine-neutral statement that
 * classifies each result in the range by its instance's previous result, counted per hour in SQL; the empty hours
 * are filled in here.
 */

const HOUR = 3_600_000;

// Times are ISO-8601 UTC text in both engines, so the first 13 characters ("2026-12-06T07") name the hour. Within the
// range, a result's previous one is the row before it (LAG) of the same instance (fleet and id: an id is only unique
// inside a fleet); only an instance's first result in the range looks up
// the one before the range (one index probe per instance, not per result). Parameters: from, to, [fleet], from.
function statement(fleet: boolean): string {
  return `SELECT hour,
      CAST(sum(CASE WHEN verdict <> 'healthy' AND (prev IS NULL OR prev = 'healthy') THEN 1 ELSE 0 END) AS INTEGER) AS found,
      CAST(sum(CASE WHEN verdict = 'healthy' AND prev IS NOT NULL AND prev <> 'healthy' THEN 1 ELSE 0 END) AS INTEGER) AS healed
    FROM (SELECT w.hour, w.verdict,
            CASE WHEN w.rn > 1 THEN w.lag_verdict ELSE
              (SELECT p.verdict FROM results p WHERE p.instance_id = w.instance_id AND p.fleet = w.fleet AND p.probed_at < ?
               ORDER BY p.probed_at DESC, p.id DESC LIMIT 1) END AS prev
          FROM (SELECT r.instance_id, r.fleet, r.verdict, substr(r.probed_at, 1, 13) AS hour,
                  row_number() OVER (PARTITION BY r.fleet, r.instance_id ORDER BY r.probed_at, r.id) AS rn,
                  lag(r.verdict) OVER (PARTITION BY r.fleet, r.instance_id ORDER BY r.probed_at, r.id) AS lag_verdict
                FROM results r
                WHERE r.probed_at >= ? AND r.probed_at < ?
                ${fleet ? "AND r.fleet IN (?, '')" : ""}) w) t
    GROUP BY hour`;
}

type Row = { hour: string; found: number; healed: number };

/** The hours from `from` (rounded down) up to `to`, each with its counts (zero when no row names it). */
function buckets(from: string, to: string, rows: Row[]): TimelineBucket[] {
  const byHour = new Map(rows.map((r) => [r.hour, r]));
  const out: TimelineBucket[] = [];
  const end = Date.parse(to);
  for (let t = Math.floor(Date.parse(from) / HOUR) * HOUR; t < end; t += HOUR) {
    const start = new Date(t).toISOString();
    const r = byHour.get(start.slice(0, 13));
    out.push({ start, found: Number(r?.found ?? 0), healed: Number(r?.healed ?? 0) });
  }
  return out;
}

function range(opts: { from: string; to: string }): [string, string] {
  // Normalised so that text comparison with the stored times is time comparison; the first hour counts whole.
  const from = new Date(Math.floor(Date.parse(opts.from) / HOUR) * HOUR).toISOString();
  return [from, new Date(opts.to).toISOString()];
}

export function timelineQueries(db: Database.Database): TimelineStore {
  const all = db.prepare(statement(false));
  const ofFleet = db.prepare(statement(true));
  return {
    async failuresTimeline(opts) {
      const [from, to] = range(opts);
      const rows = (
        opts.fleet === undefined ? all.all(from, from, to) : ofFleet.all(from, from, to, opts.fleet)
      ) as Row[];
      return buckets(from, to, rows);
    },
  };
}

export function pgTimelineQueries(db: Queryable): TimelineStore {
  return {
    async failuresTimeline(opts) {
      const [from, to] = range(opts);
      const fleet = opts.fleet !== undefined;
      const r = await db.query<Row>(
        numbered(statement(fleet)),
        fleet ? [from, from, to, opts.fleet] : [from, from, to],
      );
      return buckets(from, to, r.rows);
    },
  };
}
