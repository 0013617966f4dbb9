import type Database from "better-sqlite3";
import type pg from "pg";
import { VERDICTS } from "../diagnosis/types.ts";
import type { FleetMembershipStore } from "./interfaces.ts";
import { numbered, type Queryable } from "./pg.ts";
import type { LatestFilter } from "./types.ts";

/**
 * Fleet membership queries (see migrations/fleets-001.ts). Kept apart from store.ts: the fleet a scan read, the
 * instances a full scan no longer sees, and the SQL condition that keeps one fleet's listing and counts to itself.
 */

/**
 * Which instances the listing and counts cover: the fleet in view's (`fleet`: with the rows from before fleets were
 * recorded, fleet ''), and any of `fleets`, of an `account` (every region), of a `region` (every account); every
 * fleet's when none is given; gone ones or not. Each given filter applies (they narrow one another).
 */
export type FleetScope = {
  fleet?: string;
  fleets?: string[];
  /** A 12-digit account: its fleets in every region. */
  account?: string;
  region?: string;
  includeGone?: boolean;
};

/** `latest` rows whose instance is gone: a full scan of its fleet after the latest result did not see it. */
export const GONE_CONDITION = `EXISTS (SELECT 1 FROM fleet_gone g WHERE g.fleet = latest.fleet AND g.instance_id = latest.instance_id AND g.since > latest.probed_at)`;

/**
 * A by-instance read's fleet condition over `alias` (a `results` or `latest` row), one `?`: the given fleet, or when
 * it is null the fleet of the instance's newest `latest` row (the newest across fleets); rows from before fleets were
 * recorded ('') go with either. Engine-neutral (the CAST types PostgreSQL's parameter).
 */
export const instanceFleetCondition = (alias: string) =>
  `${alias}.fleet IN (coalesce(CAST(? AS TEXT), (SELECT n.fleet FROM latest n WHERE n.instance_id = ${alias}.instance_id ORDER BY n.probed_at DESC, n.result_id DESC LIMIT 1)), '')`;

/** The WHERE conditions (over `latest`) and their parameters for a scope; none for the default (every fleet). */
export function scopeConditions(scope: FleetScope = {}): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (scope.fleet !== undefined) {
    // Scans from before fleets were recorded (fleet '') count with the fleet in view until a full scan of it.
    where.push(`latest.fleet IN (?, '')`);
    params.push(scope.fleet);
  }
  if (scope.fleets?.length) {
    where.push(`latest.fleet IN (${scope.fleets.map(() => "?").join(",")})`);
    params.push(...scope.fleets);
  }
  if (scope.account !== undefined) {
    // Ids are `<account>/<region>` and compared byte-wise ('0' follows '/'): a range over the key's leading column.
    where.push(`latest.fleet >= ? AND latest.fleet < ?`);
    params.push(`${scope.account}/`, `${scope.account}0`);
  }
  if (scope.region !== undefined) {
    where.push(`substr(latest.fleet, length(latest.fleet) - length(CAST(? AS TEXT)) + 1) = CAST(? AS TEXT)`);
    params.push(`/${scope.region}`, `/${scope.region}`);
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

// After a completed full scan: every instance of the scan's fleet (or from before fleets were recorded) whose latest
// result is older than the scan and that the scan did not see is gone from the time the scan started. A gone row is
// keyed as its latest row is. Parameters: fleet, since, scan.
const MARK_GONE = `INSERT INTO fleet_gone (fleet, instance_id, since, scan_id)
  SELECT l.fleet, l.instance_id, ?, ? FROM latest l
  WHERE l.fleet IN (?, '') AND l.probed_at < ?
    AND NOT EXISTS (SELECT 1 FROM results r WHERE r.scan_id = ? AND r.instance_id = l.instance_id)
  ON CONFLICT (fleet, instance_id) DO UPDATE SET since = excluded.since, scan_id = excluded.scan_id
  WHERE fleet_gone.since <= (SELECT probed_at FROM latest WHERE fleet = excluded.fleet AND instance_id = excluded.instance_id)`;
const markGoneParams = (fleet: string, since: string, scan: string) => [since, scan, fleet, since, scan];

// The instance's (newest, or given) latest row and, when it is gone, since when and by which scan (of which fleet).
// Parameters: instance id, fleet or null.
const GONE_OF = `SELECT g.since, g.scan_id, coalesce(s.fleet, g.fleet) AS fleet FROM latest l
  JOIN fleet_gone g ON g.fleet = l.fleet AND g.instance_id = l.instance_id LEFT JOIN scans s ON s.id = g.scan_id
  WHERE l.instance_id = ? AND ${instanceFleetCondition("l")} AND g.since > l.probed_at
  ORDER BY l.probed_at DESC, l.result_id DESC LIMIT 1`;
const INSTANCE_FLEETS = `SELECT fleet FROM latest WHERE instance_id = ? ORDER BY probed_at DESC, result_id DESC`;
const FLEETS_IN_STORE = `SELECT fleet, CAST(count(*) AS INTEGER) AS instances FROM latest
  WHERE fleet <> '' AND NOT ${GONE_CONDITION} GROUP BY fleet ORDER BY fleet`;

type GoneDb = { since: string; scan_id: string; fleet: string };
const goneRow = (r: GoneDb | undefined) => (r ? { since: r.since, scanId: r.scan_id, fleet: r.fleet } : undefined);

/** The SQLite implementation of FleetMembershipStore (part of the store; see interfaces.ts). */
export function fleetStateQueries(db: Database.Database): FleetMembershipStore {
  const q = {
    recordScanFleet: db.prepare(`UPDATE scans SET fleet = ? WHERE id = ?`),
    scanFleet: db.prepare(`SELECT fleet FROM scans WHERE id = ?`),
    scanStart: db.prepare(`SELECT fleet, started_at FROM scans WHERE id = ?`),
    markGone: db.prepare(MARK_GONE),
    goneOf: db.prepare(GONE_OF),
    instanceFleets: db.prepare(INSTANCE_FLEETS),
    fleets: db.prepare(FLEETS_IN_STORE),
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
      return q.markGone.run(...markGoneParams(scan.fleet, scan.started_at, scanId)).changes;
    },
    async goneOf(instanceId, fleet) {
      return goneRow(q.goneOf.get(instanceId, fleet ?? null) as GoneDb | undefined);
    },
    async instanceFleet(instanceId) {
      const r = q.instanceFleets.get(instanceId) as { fleet: string } | undefined;
      return r?.fleet || undefined;
    },
    async instanceFleets(instanceId) {
      return (q.instanceFleets.all(instanceId) as { fleet: string }[]).map((r) => r.fleet);
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
      const r = await pool.query(numbered(MARK_GONE), markGoneParams(scan.fleet, scan.started_at, scanId));
      return r.rowCount ?? 0;
    },
    async goneOf(instanceId, fleet) {
      return goneRow(await one<GoneDb>(numbered(GONE_OF), [instanceId, fleet ?? null]));
    },
    async instanceFleet(instanceId) {
      return (await one<{ fleet: string }>(numbered(INSTANCE_FLEETS), [instanceId]))?.fleet || undefined;
    },
    async instanceFleets(instanceId) {
      return (await pool.query<{ fleet: string }>(numbered(INSTANCE_FLEETS), [instanceId])).rows.map((r) => r.fleet);
    },
    async fleetsInStore() {
      return (await pool.query<{ fleet: string; instances: number }>(FLEETS_IN_STORE, [])).rows;
    },
  };
}
