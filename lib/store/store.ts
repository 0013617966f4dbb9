import { EventEmitter } from "node:events";
import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import type { Verdict } from "../diagnosis/types.ts";
import { VERDICTS } from "../diagnosis/types.ts";
import { FleetDoctorError } from "../errors.ts";
import { matchesFreeText } from "../instances/free-text.ts";
import { targetKey } from "../scan/targets.ts";
import type { InstanceResult, ScanEvent, ScanStatus } from "../scan/types.ts";
import { actionAuditStore } from "./actions.ts";
import { alertStore } from "./alerts.ts";
import { autopilotStore } from "./autopilot.ts";
import { ecsQueries } from "./ecs.ts";
import { fleetBusy, isFleetBusyError } from "./fleet-busy.ts";
import { fleetStateQueries, instanceFleetCondition, latestConditions, scopeConditions } from "./fleets.ts";
import { groupFixStore } from "./group-fixes.ts";
import type { ScanFinishedExtra, ScanWrite, Store } from "./interfaces.ts";
import { leaseTable } from "./leases.ts";
import { migrate } from "./migrate.ts";
import {
  LATEST_COLUMNS,
  MAX_PAGE,
  type ResultDb,
  resultRow,
  type ScanDb,
  SUMMARY_COLUMNS,
  type SummaryDb,
  toResult,
  toScan,
  toSummary,
} from "./rows.ts";
import { ABANDONED_SQL, scanTakeoverStore } from "./scan-takeover.ts";
import { sweepStore } from "./sweeps.ts";
import { timelineQueries } from "./timeline.ts";
import type { LatestFilter, ScanRow, StoredEvent, VerdictCounts } from "./types.ts";
import { watchQueries } from "./watch.ts";

export type { Store } from "./interfaces.ts";

export type StoreOptions = {
  /** Seconds a lease lasts without a heartbeat (FLEET_DOCTOR_LEASE_TTL); the heartbeat runs every third of it. */
  leaseTtlSeconds?: number;
  /** The lease owner id; random by default (one per opened store, so one per process in the app). */
  owner?: string;
};

/**
 * Opens (and migrates) the SQLite store at `file` (`:memory:` works): the SQLite implementation of `Store`.
 * better-sqlite3 is synchronous; every verb runs its statements at once and a verb that writes more than one row
 * does it in one IMMEDIATE transaction (it takes the write lock first, so a read-then-write never fails because
 * another process wrote in between), so nothing is ever half-written. A heartbeat renews this owner's leases and marks
 * `interrupted` the scans whose owner stopped renewing (a crash or a kill, in any process) and that no server is to
 * take over (scan-takeover.ts), keeping their results.
 */
export function openStore(file: string, opts: StoreOptions = {}): Store {
  if (file !== ":memory:") mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  // The CLI and the dashboard may write the same file: wait for the other writer instead of failing at once.
  db.pragma("busy_timeout = 5000");
  migrate(db);

  const owner = opts.owner ?? crypto.randomUUID();
  const ttlMs = (opts.leaseTtlSeconds ?? 30) * 1000;
  const leases = leaseTable(db, owner, ttlMs);
  // In-process wake-up for event streams: a route streaming a scan this process runs hears each event at once.
  const wake = new EventEmitter();
  wake.setMaxListeners(0);

  const q = {
    insertScan: db.prepare(
      `INSERT INTO scans (id, status, targets, target_key, actor, owner_pid, started_at, running_fleet, fleet)
       VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?)`,
    ),
    getScan: db.prepare(`SELECT * FROM scans WHERE id = ?`),
    runningOfFleet: db.prepare(`SELECT id FROM scans WHERE running_fleet = ?`),
    getScanProgress: db.prepare(
      `SELECT s.*, (SELECT coalesce(max(seq), 0) FROM scan_events e WHERE e.scan_id = s.id) AS last_seq
       FROM scans s WHERE s.id = ?`,
    ),
    // A full scan marks instances gone (fleet_gone) besides saving results: its count changes the key too.
    latestVersion: db.prepare(
      `SELECT (SELECT max(id) FROM results) AS id, (SELECT count(*) FROM latest) AS n, (SELECT count(*) FROM fleet_gone) AS g`,
    ),
    runningByKey: db.prepare(
      `SELECT s.* FROM scans s JOIN leases l ON l.kind = 'scan' AND l.id = s.id
       WHERE s.status = 'running' AND s.target_key = ? AND l.expires_at >= ? ORDER BY s.rowid DESC`,
    ),
    abandoned: db.prepare(
      `SELECT s.id FROM scans s LEFT JOIN leases l ON l.kind = 'scan' AND l.id = s.id WHERE ${ABANDONED_SQL}`,
    ),
    isAbandoned: db.prepare(
      `SELECT 1 FROM scans s LEFT JOIN leases l ON l.kind = 'scan' AND l.id = s.id WHERE s.id = @id AND ${ABANDONED_SQL}`,
    ),
    listScans: db.prepare(`SELECT * FROM scans ORDER BY rowid DESC LIMIT ?`),
    listScansBefore: db.prepare(
      `SELECT * FROM scans WHERE rowid < (SELECT rowid FROM scans WHERE id = ?) ORDER BY rowid DESC LIMIT ?`,
    ),
    setTotal: db.prepare(`UPDATE scans SET total = ? WHERE id = ?`),
    finish: db.prepare(
      `UPDATE scans SET status = ?, finished_at = ?, counts = ?, error = ?, running_fleet = NULL
       WHERE id = ? AND status = 'running'`,
    ),
    lastSeq: db.prepare(`SELECT coalesce(max(seq), 0) AS seq FROM scan_events WHERE scan_id = ?`),
    insertEvent: db.prepare(`INSERT INTO scan_events (scan_id, seq, type, at, data) VALUES (?, ?, ?, ?, ?)`),
    eventsSince: db.prepare(`SELECT seq, data FROM scan_events WHERE scan_id = ? AND seq > ? ORDER BY seq LIMIT ?`),
    // The result's fleet is its scan's, read from the scan's row ('' for a scan without one).
    insertResult: db.prepare(
      `INSERT INTO results (scan_id, instance_id, fleet, verdict, cause, summary, group_name, lifecycle_state,
         agent_version, ping_status, restart_will_work, probed_at, registered, target, outcome, diagnosis, raw_output,
         ecs)
       VALUES (@scan_id, @instance_id, coalesce((SELECT s.fleet FROM scans s WHERE s.id = @scan_id), ''), @verdict,
         @cause, @summary, @group_name, @lifecycle_state, @agent_version, @ping_status, @restart_will_work,
         @probed_at, @registered, @target, @outcome, @diagnosis, @raw_output, @ecs)
       RETURNING id, fleet`,
    ),
    // A row from before fleets were recorded is this fleet's instance: the fleet's result replaces it.
    adoptLegacy: db.prepare(`DELETE FROM latest WHERE fleet = '' AND instance_id = ?`),
    upsertLatest: db.prepare(
      `INSERT INTO latest (fleet, instance_id, result_id, scan_id, verdict, cause, summary, group_name,
         lifecycle_state, agent_version, ping_status, restart_will_work, probed_at, registered)
       VALUES (@fleet, @instance_id, @result_id, @scan_id, @verdict, @cause, @summary, @group_name, @lifecycle_state,
         @agent_version, @ping_status, @restart_will_work, @probed_at, @registered)
       ON CONFLICT (fleet, instance_id) DO UPDATE SET result_id = excluded.result_id, scan_id = excluded.scan_id,
         verdict = excluded.verdict, cause = excluded.cause, summary = excluded.summary,
         group_name = excluded.group_name, lifecycle_state = excluded.lifecycle_state,
         agent_version = excluded.agent_version, ping_status = excluded.ping_status,
         restart_will_work = excluded.restart_will_work, probed_at = excluded.probed_at,
         registered = excluded.registered
       WHERE excluded.probed_at >= latest.probed_at`,
    ),
    countResult: db.prepare(
      `UPDATE scans SET done = done + 1,
         counts = json_set(counts, '$."' || @verdict || '"', coalesce(json_extract(counts, '$."' || @verdict || '"'), 0) + 1)
       WHERE id = @scan_id`,
    ),
    scanCounts: db.prepare(`SELECT verdict, count(*) AS n FROM results WHERE scan_id = ? GROUP BY verdict`),
    scanResults: db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM results WHERE scan_id = ? ORDER BY instance_id`),
    scanResult: db.prepare(`SELECT * FROM results WHERE scan_id = ? AND instance_id = ?`),
    history: db.prepare(
      `SELECT * FROM results WHERE instance_id = ? AND ${instanceFleetCondition("results")}
       ORDER BY probed_at DESC, id DESC LIMIT ?`,
    ),
    latestResult: db.prepare(
      `SELECT r.* FROM latest l JOIN results r ON r.id = l.result_id
       WHERE l.instance_id = ? AND ${instanceFleetCondition("l")} ORDER BY l.probed_at DESC, l.result_id DESC LIMIT 1`,
    ),
  };

  function getScan(id: string): ScanRow | undefined {
    const r = q.getScan.get(id) as ScanDb | undefined;
    return r ? toScan(r) : undefined;
  }

  function countsOf(scanId: string): VerdictCounts {
    const counts: VerdictCounts = {};
    for (const r of q.scanCounts.all(scanId) as { verdict: Verdict; n: number }[]) counts[r.verdict] = r.n;
    return counts;
  }

  function insertEvent(scanId: string, event: ScanEvent): number {
    const seq = (q.lastSeq.get(scanId) as { seq: number }).seq + 1;
    q.insertEvent.run(scanId, seq, event.type, event.at, JSON.stringify(event));
    return seq;
  }

  function saveResult(result: InstanceResult, rawOutput: string): void {
    const { summary, full } = resultRow(result, rawOutput);
    const row = q.insertResult.get(full) as { id: number; fleet: string };
    if (row.fleet !== "") q.adoptLegacy.run(result.instanceId);
    q.upsertLatest.run({ ...summary, fleet: row.fleet, result_id: row.id });
    q.countResult.run({ scan_id: result.scanId, verdict: result.verdict });
  }

  function applyWrite(scanId: string, w: ScanWrite): void {
    if (w.kind === "result") saveResult(w.result, w.rawOutput);
    else q.setTotal.run(w.total, scanId);
  }

  /** Ends a running scan and stores its final event, in one transaction; undefined when it had already ended. */
  const finishTx = db.transaction(
    (
      id: string,
      status: Exclude<ScanStatus, "running">,
      error?: string,
      extra?: ScanFinishedExtra,
    ): StoredEvent | undefined => {
      const counts = countsOf(id);
      const changed = q.finish.run(status, new Date().toISOString(), JSON.stringify(counts), error ?? null, id);
      leases.release("scan", id);
      if (changed.changes === 0) return undefined;
      const event: ScanEvent = { type: "scan-finished", status, counts, ...extra, at: new Date().toISOString() };
      return { seq: insertEvent(id, event), event };
    },
  );

  function finishScan(id: string, status: Exclude<ScanStatus, "running">, error?: string, extra?: ScanFinishedExtra) {
    const stored = finishTx.immediate(id, status, error, extra);
    if (stored) wake.emit(`scan:${id}`);
    return stored;
  }

  const ABANDONED = "The process running this scan stopped before it finished (its lease expired).";
  function interruptAbandonedScans(): string[] {
    const ids = (q.abandoned.all({ now: Date.now(), cutoff: Date.now() - ttlMs }) as { id: string }[]).map((r) => r.id);
    return ids.filter((id) => finishScan(id, "interrupted", ABANDONED) !== undefined);
  }

  /** Whether a running scan's owner died and nobody is to take it over (ABANDONED_SQL). */
  const abandoned = (id: string) =>
    q.isAbandoned.get({ now: Date.now(), cutoff: Date.now() - ttlMs, id }) !== undefined;

  const actions = actionAuditStore(db, leases, wake);

  // The heartbeat: renew this owner's leases, hear cancels, end what dead owners left (scans here; actions are
  // taken over by resumeActions). Unref'd: it never keeps a process alive on its own.
  const beat = () => {
    try {
      leases.heartbeat();
      interruptAbandonedScans();
    } catch (e) {
      console.error("[fleet-doctor] lease heartbeat failed:", e);
    }
  };
  const timer = setInterval(beat, Math.max(200, Math.floor(ttlMs / 3)));
  timer.unref();

  const store: Store = {
    path: file,
    owner,
    actions,
    alerts: alertStore(db),
    groupFixes: groupFixStore(db),
    timeline: timelineQueries(db),
    autopilot: autopilotStore(db),
    sweeps: sweepStore(db),
    ...fleetStateQueries(db),
    ...ecsQueries(db),
    ...watchQueries(db),
    ...scanTakeoverStore(db, leases),
    leaseTtlMs: ttlMs,

    async claimLeadership(name) {
      return db
        .transaction(() => {
          if (leases.live("leader", name)?.owner === owner) return true;
          return leases.takeIfFree("leader", name);
        })
        .immediate();
    },
    async leaderOf(name) {
      return leases.live("leader", name);
    },
    leadershipSignal(name) {
      return leases.signal("leader", name);
    },
    async resign(name) {
      leases.releaseMine("leader", name);
    },

    async createScan(input) {
      const id = input.id ?? crypto.randomUUID();
      const runningOf = (fleet: string) => (q.runningOfFleet.get(fleet) as { id: string } | undefined)?.id;
      // A scan of the fleet whose owner died holds the fleet until it is ended: end it first.
      const before = input.fleet ? runningOf(input.fleet) : undefined;
      if (before && abandoned(before)) finishScan(before, "interrupted", ABANDONED);
      try {
        db.transaction(() => {
          q.insertScan.run(
            id,
            JSON.stringify(input.targets),
            targetKey(input.targets),
            input.actor ?? null,
            process.pid,
            new Date().toISOString(),
            input.fleet ?? null,
            input.fleet ?? null,
          );
          leases.acquire("scan", id);
        }).immediate();
      } catch (e) {
        if (input.fleet && isFleetBusyError(e)) throw fleetBusy(input.fleet, runningOf(input.fleet));
        throw e;
      }
      return getScan(id)!;
    },

    async getScan(id) {
      const scan = getScan(id);
      // A reader is where an abandoned scan is first seen: end it now rather than at the next heartbeat.
      if (scan?.status === "running" && abandoned(id)) {
        finishScan(id, "interrupted", ABANDONED);
        return getScan(id);
      }
      return scan;
    },

    async getScanProgress(id) {
      await store.getScan(id); // ends it first if its owner died
      const r = q.getScanProgress.get(id) as (ScanDb & { last_seq: number }) | undefined;
      return r ? { scan: toScan(r), lastSeq: r.last_seq } : undefined;
    },

    async listScans(opts = {}) {
      interruptAbandonedScans();
      const limit = Math.min(Math.max(opts.limit ?? 50, 1), MAX_PAGE);
      const rows = (opts.before ? q.listScansBefore.all(opts.before, limit) : q.listScans.all(limit)) as ScanDb[];
      return rows.map(toScan);
    },

    async runningScanFor(targets) {
      const r = q.runningByKey.get(targetKey(targets), Date.now()) as ScanDb | undefined;
      return r ? toScan(r) : undefined;
    },

    async finishScan(id, status, error, extra) {
      return finishScan(id, status, error, extra);
    },

    async requestScanCancel(id) {
      return leases.requestCancel("scan", id);
    },

    scanCancelSignal(id) {
      return leases.signal("scan", id);
    },

    async interruptAbandonedScans() {
      return interruptAbandonedScans();
    },

    async appendEvent(scanId, event, write) {
      const seq = db
        .transaction(() => {
          if (write) applyWrite(scanId, write);
          return insertEvent(scanId, event);
        })
        .immediate();
      wake.emit(`scan:${scanId}`);
      return seq;
    },

    async appendEvents(scanId, items) {
      const seqs = db
        .transaction(() =>
          items.map(({ event, write }) => {
            if (write) applyWrite(scanId, write);
            return insertEvent(scanId, event);
          }),
        )
        .immediate();
      if (seqs.length > 0) wake.emit(`scan:${scanId}`);
      return seqs;
    },

    async eventsSince(scanId, afterSeq, limit = 10_000) {
      const rows = q.eventsSince.all(scanId, afterSeq, limit) as { seq: number; data: string }[];
      return rows.map((r) => ({ seq: r.seq, event: JSON.parse(r.data) as ScanEvent }));
    },

    onScanEvent(scanId, listener) {
      wake.on(`scan:${scanId}`, listener);
      return () => wake.off(`scan:${scanId}`, listener);
    },

    async saveResult(result, rawOutput) {
      db.transaction(() => saveResult(result, rawOutput)).immediate();
    },

    async saveResults(items) {
      db.transaction(() => {
        for (const i of items) saveResult(i.result, i.rawOutput);
      }).immediate();
    },

    async scanResults(scanId) {
      return (q.scanResults.all(scanId) as SummaryDb[]).map(toSummary);
    },

    async scanResult(scanId, instanceId) {
      const r = q.scanResult.get(scanId, instanceId) as ResultDb | undefined;
      return r ? toResult(r) : undefined;
    },

    async latestResults(filter: LatestFilter = {}) {
      const { where, params } = latestConditions(filter);
      const clause = where.length ? `WHERE ${where.join(" AND ")}` : "";
      const limit = Math.min(Math.max(filter.limit ?? 100, 1), MAX_PAGE);
      const offset = Math.max(filter.offset ?? 0, 0);
      if (filter.q) {
        // Free text means what the table's means (lib/instances/free-text.ts), so it is matched here, not in SQL.
        const { q: text, verdictLabel } = filter;
        const matching = (
          db
            .prepare(`SELECT ${LATEST_COLUMNS} FROM latest ${clause} ORDER BY instance_id, fleet`)
            .all(...params) as SummaryDb[]
        )
          .map(toSummary)
          .filter((r) => matchesFreeText(r, text, verdictLabel));
        return { total: matching.length, items: matching.slice(offset, offset + limit) };
      }
      const total = (db.prepare(`SELECT count(*) AS n FROM latest ${clause}`).get(...params) as { n: number }).n;
      const items = (
        db
          .prepare(`SELECT ${LATEST_COLUMNS} FROM latest ${clause} ORDER BY instance_id, fleet LIMIT ? OFFSET ?`)
          .all(...params, limit, offset) as SummaryDb[]
      ).map(toSummary);
      return { total, items };
    },

    async instanceHistory(instanceId, limit = 50, fleet) {
      const n = Math.min(Math.max(limit, 1), MAX_PAGE);
      return (q.history.all(instanceId, fleet ?? null, n) as ResultDb[]).map(toResult);
    },

    async latestResult(instanceId, fleet) {
      const r = q.latestResult.get(instanceId, fleet ?? null) as ResultDb | undefined;
      return r ? toResult(r) : undefined;
    },

    async verdictsBy(column, scope = {}) {
      const key = column === "group" ? "group_name" : "agent_version";
      const { where, params } = scopeConditions(scope);
      const clause = where.length ? `WHERE ${where.join(" AND ")}` : "";
      // Aggregated in SQLite so the overview never loads every row.
      return db
        .prepare(`SELECT ${key} AS key, verdict, count(*) AS n FROM latest ${clause} GROUP BY ${key}, verdict`)
        .all(...params) as { key: string | null; verdict: Verdict; n: number }[];
    },

    async latestVersion() {
      const r = q.latestVersion.get() as { id: number | null; n: number; g: number };
      return `${r.id ?? 0}.${r.n}.${r.g}`;
    },

    async verdictCounts(scope = {}) {
      const counts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
      const { where, params } = scopeConditions(scope);
      const clause = where.length ? `WHERE ${where.join(" AND ")}` : "";
      const rows = db.prepare(`SELECT verdict, count(*) AS n FROM latest ${clause} GROUP BY verdict`).all(...params);
      for (const r of rows as { verdict: Verdict; n: number }[]) counts[r.verdict] = r.n;
      return counts;
    },

    async close() {
      clearInterval(timer);
      if (db.open) db.close();
    },
  };
  interruptAbandonedScans();
  return store;
}

/** Throws NOT_FOUND naming the scan when it does not exist. */
export async function requireScan(store: Store, id: string): Promise<ScanRow> {
  const scan = await store.getScan(id);
  if (!scan) throw new FleetDoctorError("NOT_FOUND", `No scan with id ${id}`, { scanId: id });
  return scan;
}
