import type Database from "better-sqlite3";
import type { EcsStore } from "./interfaces.ts";

/** ECS-related queries (see migrations/ecs-001.ts): a scan's note on why it went without ECS, and lifecycle history. */
export function ecsQueries(db: Database.Database): EcsStore {
  const q = {
    recordEcsNote: db.prepare(`UPDATE scans SET ecs_note = ? WHERE id = ?`),
    // The last time a stored result saw the instance in another lifecycle state than InService (or in no group),
    // and the first time one saw it InService after that: when its current time in service began, as far as
    // Fleet Doctor saw it.
    lastNotInService: db.prepare(
      `SELECT max(probed_at) AS at FROM results
       WHERE instance_id = ? AND (lifecycle_state IS NULL OR lifecycle_state <> 'InService')`,
    ),
    firstInServiceAfter: db.prepare(
      `SELECT min(probed_at) AS at FROM results WHERE instance_id = ? AND lifecycle_state = 'InService' AND probed_at > ?`,
    ),
  };
  return {
    async recordEcsNote(scanId, note) {
      q.recordEcsNote.run(note.slice(0, 500), scanId);
    },
    async lifecycleSeen(instanceId) {
      const last = (q.lastNotInService.get(instanceId) as { at: string | null }).at ?? undefined;
      const first = (q.firstInServiceAfter.get(instanceId, last ?? "") as { at: string | null }).at ?? undefined;
      return { ...(first ? { firstInService: first } : {}), ...(last ? { lastNotInService: last } : {}) };
    },
  };
}
