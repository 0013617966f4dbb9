import type Database from "better-sqlite3";
import type pg from "pg";
import { VERDICTS } from "../diagnosis/types.ts";
import type { FleetMembershipStore } from "./interfaces.ts";
import type { Queryable } from "./pg.ts";
import type { LatestFilter } from "./types.ts";

/**
 * Fleet membership queries (see migrations/fleets-001.ts). Kept apart from store.ts: the fleet a scan read, the
 * instances a full scan no longer sees, and the SQL condition that keeps one fleet's listing and counts to itself.
 */

/** Which instances the listing and counts cover: one fleet's (all fleets when `fleet` is absent), gone ones or not. */
export type FleetScope = { fleet?: string; includeGone?: boolean };

/** `latest` rows whose instance is gone: a full scan of the fleet after the latest result did not see it. */
export const GONE_CONDITION = `EXISTS (SELECT 1 FROM fleet_gone g WHERE g.instance_id = latest.instance_id AND g.since > latest.probed_at)`;

/** The WHERE conditions (over `latest`) and their parameters for a scope; none for the default (every fleet). */
export function scopeConditions(scope: FleetScope = {}): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (scope.fleet !== undefined) {
    // Scans from before fleets were recorded (no fleet) count with the fleet in view until a full scan of it.
    where.push(`latest.scan_id IN (SELECT id FROM scans WHERE fleet = ? OR fleet IS NULL)`);
    params.push(scope.fleet);
  }
  if (!scope.includeGone) where.push(`NOT ${GONE_CONDITION}`);
  return { where, params };
}

/**
 * The WHERE conditions (over `latest`, `?` placeholders) and parameters of a listing's scope and filters, for both
 * engines: an unknown verdict matches nothing rather than being an error.
 */
export function latestConditions(filter: LatestFilter): { where: string[]; params: unknown[] } {
  const { where, params } = scopeConditions(filter);
  if (filter.verdict?.length) {
    const known = filter.verdict.filter((v) => (VERDICTS as readonly string[]).includes(v));
    where.push(`verdict IN (${known.map(() => "?").join(",") || "NULL"})`);
    params.push(...known);
  }
  if (filter.group !== undefined) {
    where.push("group_name = ?");
    params.push(filter.group);
  }
  if (filter.agentVersion !== undefined) {
    where.push("agent_version = ?");
    params.push(filter.agentVersion);
  }
  if (filter.registered !== undefined) {
    if (filter.registered === "not-asked") where.push("registered IS NULL");
    else {
      where.push("registered = ?");
      params.push(filter.registered === "yes" ? 1 : 0);
    }
  }
  return { where, params };
}

/** The SQLite implementation of FleetMembershipStore (part of the store; see interfaces.ts). */
export function fleetStateQueries(db: Database.Database): FleetMembershipStore {
  const q = {
    recordScanFleet: db.prepare(`UPDATE scans SET fleet = ? WHERE id = ?`),
    scanFleet: db.prepare(`SELECT fleet FROM scans WHERE id = ?`),
    scanStart: db.prepare(`SELECT fleet, started_at FROM scans WHERE id = ?`),
    // After a completed full scan: every instance of the scan's fleet whose latest result is older than the scan
    // and that the scan did not see is gone from the time the scan started.
    markGone: db.prepare(
      `INSERT INTO fleet_gone (instance_id, fleet, since, scan_id)
       SELECT l.instance_id, @fleet, @since, @scan FROM latest l JOIN scans s ON s.id = l.scan_id
       WHERE (s.fleet = @fleet OR s.fleet IS NULL) AND l.probed_at < @since
         AND NOT EXISTS (SELECT 1 FROM results r WHERE r.scan_id = @scan AND r.instance_id = l.instance_id)
       ON CONFLICT (instance_id) DO UPDATE SET fleet = excluded.fleet, since = excluded.since, scan_id = excluded.scan_id
       WHERE fleet_gone.since <= (SELECT probed_at FROM latest WHERE instance_id = excluded.instance_id)`,
    ),
    goneOf: db.prepare(
      `SELECT g.since, g.scan_id, g.fleet FROM fleet_gone g JOIN latest l ON l.instance_id = g.instance_id
       WHERE g.instance_id = ? AND g.since > l.probed_at`,
    ),
    instanceFleet: db.prepare(`SELECT s.fleet FROM latest l JOIN scans s ON s.id = l.scan_id WHERE l.instance_id = ?`),
    fleets: db.prepare(
      `SELECT s.fleet AS fleet, count(*) AS instances FROM latest JOIN scans s ON s.id = latest.scan_id
       WHERE s.fleet IS NOT NULL AND NOT ${GONE_CONDITION} GROUP BY s.fleet ORDER BY s.fleet`,
    ),
  };
  return {
    async recordScanFleet(scanId, fleet) {
      q.recordScanFleet.run(fleet, scanId);
    },
    async scanFleet(scanId) {
      const r = q.scanFleet.get(scanId) as { fleet: string | null } | undefined;
      return r?.fleet ?? undefined;
    },
    async markGone(scanId) {
      const scan = q.scanStart.get(scanId) as { fleet: string | null; started_at: string } | undefined;
      if (!scan?.fleet) return 0;
      return q.markGone.run({ fleet: scan.fleet, since: scan.started_at, scan: scanId }).changes;
    },
    async goneOf(instanceId) {
      const r = q.goneOf.get(instanceId) as { since: string; scan_id: string; fleet: string } | undefined;
      return r ? { since: r.since, scanId: r.scan_id, fleet: r.fleet } : undefined;
    },
    async instanceFleet(instanceId) {
      const r = q.instanceFleet.get(instanceId) as { fleet: string | null } | undefined;
      return r?.fleet ?? undefined;
    },
    async fleetsInStore() {
      return q.fleets.all() as { fleet: string; instances: number }[];
    },
  };
}

/** The PostgreSQL implementation of FleetMembershipStore: the same statements, numbered parameters. */
export function pgFleetStateQueries(pool: Queryable): FleetMembershipStore {
  const one = async <T extends pg.QueryResultRow>(sql: string, params: unknown[]) =>
    (await pool.query<T>(sql, params)).rows[0];
  return {
    async recordScanFleet(scanId, fleet) {
      await pool.query(`UPDATE scans SET fleet = $1 WHERE id = $2`, [fleet, scanId]);
    },
    async scanFleet(scanId) {
      return (
        (await one<{ fleet: string | null }>(`SELECT fleet FROM scans WHERE id = $1`, [scanId]))?.fleet ?? undefined
      );
    },
    async markGone(scanId) {
      const scan = await one<{ fleet: string | null; started_at: string }>(
        `SELECT fleet, started_at FROM scans WHERE id = $1`,
        [scanId],
      );
      if (!scan?.fleet) return 0;
      const r = await pool.query(
        `INSERT INTO fleet_gone (instance_id, fleet, since, scan_id)
         SELECT l.instance_id, $1, $2, $3 FROM latest l JOIN scans s ON s.id = l.scan_id
         WHERE (s.fleet = $1 OR s.fleet IS NULL) AND l.probed_at < $2
           AND NOT EXISTS (SELECT 1 FROM results r WHERE r.scan_id = $3 AND r.instance_id = l.instance_id)
         ON CONFLICT (instance_id) DO UPDATE SET fleet = excluded.fleet, since = excluded.since, scan_id = excluded.scan_id
         WHERE fleet_gone.since <= (SELECT probed_at FROM latest WHERE instance_id = excluded.instance_id)`,
        [scan.fleet, scan.started_at, scanId],
      );
      return r.rowCount ?? 0;
    },
    async goneOf(instanceId) {
      const r = await one<{ since: string; scan_id: string; fleet: string }>(
        `SELECT g.since, g.scan_id, g.fleet FROM fleet_gone g JOIN latest l ON l.instance_id = g.instance_id
         WHERE g.instance_id = $1 AND g.since > l.probed_at`,
        [instanceId],
      );
      return r ? { since: r.since, scanId: r.scan_id, fleet: r.fleet } : undefined;
    },
    async instanceFleet(instanceId) {
      const r = await one<{ fleet: string | null }>(
        `SELECT s.fleet FROM latest l JOIN scans s ON s.id = l.scan_id WHERE l.instance_id = $1`,
        [instanceId],
      );
      return r?.fleet ?? undefined;
    },
    async fleetsInStore() {
      const r = await pool.query<{ fleet: string; instances: number }>(
        `SELECT s.fleet AS fleet, count(*)::int AS instances FROM latest JOIN scans s ON s.id = latest.scan_id
         WHERE s.fleet IS NOT NULL AND NOT ${GONE_CONDITION} GROUP BY s.fleet ORDER BY s.fleet`,
        [],
      );
      return r.rows;
    },
  };
}
