import type Database from "better-sqlite3";
import { instanceFleetCondition } from "./fleets.ts";
import type { EcsStore } from "./interfaces.ts";
import { numbered, type Queryable } from "./pg.ts";

// The note is shown with the scan; what ECS said is capped like everything else read from outside.
const MAX_NOTE = 500;

// The last time a stored result saw the instance (of the given fleet, or of its newest result's) in another lifecycle
// state than InService (or in no group), and the first time one saw it InService after that: when its current time
// in service began, as far as Fleet Doctor saw it. The same SQL on both engines (probed_at is ISO-8601 text on both),
// with `?` parameters: instance id, fleet or null (and the time after which, in the second).
const LAST_NOT_IN_SERVICE = `SELECT max(probed_at) AS at FROM results
  WHERE instance_id = ? AND ${instanceFleetCondition("results")}
    AND (lifecycle_state IS NULL OR lifecycle_state <> 'InService')`;
const firstInServiceAfter = (after: string) => `SELECT min(probed_at) AS at FROM results
  WHERE instance_id = ? AND ${instanceFleetCondition("results")} AND lifecycle_state = 'InService' AND probed_at > ${after}`;

function seen(last: string | null | undefined, first: string | null | undefined) {
  return { ...(first ? { firstInService: first } : {}), ...(last ? { lastNotInService: last } : {}) };
}

/** ECS-related queries (see migrations/ecs-001.ts): a scan's note on why it went without ECS, and lifecycle history. */
export function ecsQueries(db: Database.Database): EcsStore {
  const q = {
    recordEcsNote: db.prepare(`UPDATE scans SET ecs_note = ? WHERE id = ?`),
    lastNotInService: db.prepare(LAST_NOT_IN_SERVICE),
    firstInServiceAfter: db.prepare(firstInServiceAfter("?")),
  };
  return {
    async recordEcsNote(scanId, note) {
      q.recordEcsNote.run(note.slice(0, MAX_NOTE), scanId);
    },
    async lifecycleSeen(instanceId, fleet) {
      const f = fleet ?? null;
      const last = (q.lastNotInService.get(instanceId, f) as { at: string | null }).at;
      const first = (q.firstInServiceAfter.get(instanceId, f, last ?? "") as { at: string | null }).at;
      return seen(last, first);
    },
  };
}

/** The same queries on PostgreSQL. */
export function pgEcsQueries(db: Queryable): EcsStore {
  return {
    async recordEcsNote(scanId, note) {
      await db.query(`UPDATE scans SET ecs_note = $1 WHERE id = $2`, [note.slice(0, MAX_NOTE), scanId]);
    },
    async lifecycleSeen(instanceId, fleet) {
      // Both queries in one statement: a scan asks this of many instances in turn, and a round trip each adds up.
      const r = await db.query<{ last: string | null; first: string | null }>(
        numbered(`WITH last AS (${LAST_NOT_IN_SERVICE})
         SELECT last.at AS last, (${firstInServiceAfter("coalesce(last.at, '')")}) AS first
         FROM last`),
        [instanceId, fleet ?? null, instanceId, fleet ?? null],
      );
      return seen(r.rows[0]?.last, r.rows[0]?.first);
    },
  };
}
