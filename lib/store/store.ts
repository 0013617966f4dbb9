import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import type { Verdict } from "../diagnosis/types.ts";
import { VERDICTS } from "../diagnosis/types.ts";
import { FleetDoctorError } from "../errors.ts";
import { matchesFreeText } from "../instances/free-text.ts";
import { targetKey } from "../scan/targets.ts";
import type { InstanceResult, ScanEvent, ScanStatus, Targets } from "../scan/types.ts";
import { type FleetScope, scopeConditions } from "./fleets.ts";
import { migrate } from "./migrate.ts";
import type { InstanceSummary, LatestFilter, ScanRow, StoredEvent, StoredResult, VerdictCounts } from "./types.ts";

export type Store = ReturnType<typeof openStore>;

type ScanDb = {
  id: string;
  status: ScanStatus;
  targets: string;
  actor: string | null;
  owner_pid: number | null;
  started_at: string;
  finished_at: string | null;
  total: number | null;
  done: number;
  counts: string;
  error: string | null;
  fleet?: string | null;
};

type SummaryDb = {
  instance_id: string;
  verdict: Verdict;
  cause: string | null;
  summary: string;
  group_name: string | null;
  lifecycle_state: string | null;
  agent_version: string | null;
  ping_status: string;
  probed_at: string;
  scan_id: string;
  restart_will_work: number;
  gone_since?: string | null;
};

type ResultDb = SummaryDb & { target: string; outcome: string; diagnosis: string; raw_output: string };

const SUMMARY_COLUMNS =
  "instance_id, verdict, cause, summary, group_name, lifecycle_state, agent_version, ping_status, probed_at, scan_id, restart_will_work";

/** The listing's columns: a summary, and since when the instance is gone when it is (lib/store/fleets.ts). */
const LATEST_COLUMNS = `${SUMMARY_COLUMNS}, (SELECT g.since FROM fleet_gone g WHERE g.instance_id = latest.instance_id AND g.since > latest.probed_at) AS gone_since`;

const MAX_PAGE = 1000;

function toScan(r: ScanDb): ScanRow {
  return {
    id: r.id,
    status: r.status,
    targets: JSON.parse(r.targets) as Targets,
    ...(r.actor ? { actor: r.actor } : {}),
    startedAt: r.started_at,
    ...(r.finished_at ? { finishedAt: r.finished_at } : {}),
    ...(r.total !== null ? { total: r.total } : {}),
    done: r.done,
    counts: JSON.parse(r.counts) as VerdictCounts,
    ...(r.error ? { error: r.error } : {}),
    ...(r.fleet ? { fleet: r.fleet } : {}),
  };
}

function toSummary(r: SummaryDb): InstanceSummary {
  return {
    instanceId: r.instance_id,
    verdict: r.verdict,
    ...(r.cause ? { cause: r.cause as InstanceSummary["cause"] } : {}),
    summary: r.summary,
    ...(r.group_name ? { group: r.group_name } : {}),
    ...(r.lifecycle_state ? { lifecycleState: r.lifecycle_state } : {}),
    ...(r.agent_version ? { agentVersion: r.agent_version } : {}),
    pingStatus: r.ping_status,
    probedAt: r.probed_at,
    scanId: r.scan_id,
    restartWillWork: r.restart_will_work === 1,
    ...(r.gone_since ? { goneSince: r.gone_since } : {}),
  };
}

function toResult(r: ResultDb): StoredResult {
  return {
    scanId: r.scan_id,
    instanceId: r.instance_id,
    target: JSON.parse(r.target),
    outcome: JSON.parse(r.outcome),
    diagnosis: JSON.parse(r.diagnosis),
    verdict: r.verdict,
    ...(r.agent_version ? { agentVersion: r.agent_version } : {}),
    probedAt: r.probed_at,
    rawOutput: r.raw_output,
  };
}

/** True when a process with this id exists (EPERM: it exists but is not ours). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Opens (and migrates) the SQLite store at `file` (`:memory:` works). Every method is synchronous; a method that
 * writes more than one row does it in one transaction so nothing is ever half-written. Scans left `running` by a
 * process that no longer exists are marked `interrupted` on open, keeping their results and events.
 */
export function openStore(file: string) {
  if (file !== ":memory:") mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  // The CLI and the dashboard may write the same file: wait for the other writer instead of failing at once.
  db.pragma("busy_timeout = 5000");
  migrate(db);

  const q = {
    insertScan: db.prepare(
      `INSERT INTO scans (id, status, targets, target_key, actor, owner_pid, started_at) VALUES (?, 'running', ?, ?, ?, ?, ?)`,
    ),
    getScan: db.prepare(`SELECT * FROM scans WHERE id = ?`),
    // A full scan marks instances gone (fleet_gone) besides saving results: its count changes the key too.
    latestVersion: db.prepare(
      `SELECT (SELECT max(id) FROM results) AS id, (SELECT count(*) FROM latest) AS n, (SELECT count(*) FROM fleet_gone) AS g`,
    ),
    runningByKey: db.prepare(`SELECT * FROM scans WHERE status = 'running' AND target_key = ? ORDER BY rowid DESC`),
    running: db.prepare(`SELECT * FROM scans WHERE status = 'running'`),
    listScans: db.prepare(`SELECT * FROM scans ORDER BY rowid DESC LIMIT ?`),
    listScansBefore: db.prepare(
      `SELECT * FROM scans WHERE rowid < (SELECT rowid FROM scans WHERE id = ?) ORDER BY rowid DESC LIMIT ?`,
    ),
    setTotal: db.prepare(`UPDATE scans SET total = ? WHERE id = ?`),
    finish: db.prepare(
      `UPDATE scans SET status = ?, finished_at = ?, counts = ?, error = ? WHERE id = ? AND status = 'running'`,
    ),
    lastSeq: db.prepare(`SELECT coalesce(max(seq), 0) AS seq FROM scan_events WHERE scan_id = ?`),
    insertEvent: db.prepare(`INSERT INTO scan_events (scan_id, seq, type, at, data) VALUES (?, ?, ?, ?, ?)`),
    eventsSince: db.prepare(`SELECT seq, data FROM scan_events WHERE scan_id = ? AND seq > ? ORDER BY seq LIMIT ?`),
    insertResult: db.prepare(
      `INSERT INTO results (scan_id, instance_id, verdict, cause, summary, group_name, lifecycle_state, agent_version,
         ping_status, restart_will_work, probed_at, target, outcome, diagnosis, raw_output)
       VALUES (@scan_id, @instance_id, @verdict, @cause, @summary, @group_name, @lifecycle_state, @agent_version,
         @ping_status, @restart_will_work, @probed_at, @target, @outcome, @diagnosis, @raw_output)`,
    ),
    upsertLatest: db.prepare(
      `INSERT INTO latest (instance_id, result_id, scan_id, verdict, cause, summary, group_name, lifecycle_state,
         agent_version, ping_status, restart_will_work, probed_at)
       VALUES (@instance_id, @result_id, @scan_id, @verdict, @cause, @summary, @group_name, @lifecycle_state,
         @agent_version, @ping_status, @restart_will_work, @probed_at)
       ON CONFLICT (instance_id) DO UPDATE SET result_id = excluded.result_id, scan_id = excluded.scan_id,
         verdict = excluded.verdict, cause = excluded.cause, summary = excluded.summary,
         group_name = excluded.group_name, lifecycle_state = excluded.lifecycle_state,
         agent_version = excluded.agent_version, ping_status = excluded.ping_status,
         restart_will_work = excluded.restart_will_work, probed_at = excluded.probed_at
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
    history: db.prepare(`SELECT * FROM results WHERE instance_id = ? ORDER BY probed_at DESC, id DESC LIMIT ?`),
    latestResult: db.prepare(`SELECT r.* FROM latest l JOIN results r ON r.id = l.result_id WHERE l.instance_id = ?`),
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

  function appendEvent(scanId: string, event: ScanEvent): number {
    return db.transaction(() => {
      const seq = (q.lastSeq.get(scanId) as { seq: number }).seq + 1;
      q.insertEvent.run(scanId, seq, event.type, event.at, JSON.stringify(event));
      return seq;
    })();
  }

  function finishScan(id: string, status: Exclude<ScanStatus, "running">, counts?: VerdictCounts, error?: string) {
    const c = counts ?? countsOf(id);
    q.finish.run(status, new Date().toISOString(), JSON.stringify(c), error ?? null, id);
  }

  const store = {
    db,
    path: file,

    /** Runs `fn` in one transaction (nested calls become savepoints). */
    transaction<T>(fn: () => T): T {
      return db.transaction(fn)();
    },

    createScan(input: { targets: Targets; actor?: string; id?: string }): ScanRow {
      const id = input.id ?? crypto.randomUUID();
      q.insertScan.run(
        id,
        JSON.stringify(input.targets),
        targetKey(input.targets),
        input.actor ?? null,
        process.pid,
        new Date().toISOString(),
      );
      return getScan(id)!;
    },

    getScan,

    /** Newest first; `before` is a scan id (the last one of the previous page). */
    listScans(opts: { limit?: number; before?: string } = {}): ScanRow[] {
      const limit = Math.min(Math.max(opts.limit ?? 50, 1), MAX_PAGE);
      const rows = (opts.before ? q.listScansBefore.all(opts.before, limit) : q.listScans.all(limit)) as ScanDb[];
      return rows.map(toScan);
    },

    /** A scan still running over the same targets whose process is alive (this one or another). */
    runningScanFor(targets: Targets): ScanRow | undefined {
      const rows = q.runningByKey.all(targetKey(targets)) as ScanDb[];
      const live = rows.find((r) => r.owner_pid === null || r.owner_pid === process.pid || processAlive(r.owner_pid));
      return live ? toScan(live) : undefined;
    },

    setTotal(scanId: string, total: number): void {
      q.setTotal.run(total, scanId);
    },

    appendEvent,

    eventsSince(scanId: string, afterSeq: number, limit = 10_000): StoredEvent[] {
      const rows = q.eventsSince.all(scanId, afterSeq, limit) as { seq: number; data: string }[];
      return rows.map((r) => ({ seq: r.seq, event: JSON.parse(r.data) as ScanEvent }));
    },

    /** Stores one instance's result (with the raw probe output), updates `latest` and the scan's counts. */
    saveResult(result: InstanceResult, rawOutput: string): void {
      db.transaction(() => {
        const d = result.diagnosis;
        const row = {
          scan_id: result.scanId,
          instance_id: result.instanceId,
          verdict: result.verdict,
          cause: d.cause ?? null,
          summary: d.summary,
          group_name: result.target.group ?? null,
          lifecycle_state: result.target.lifecycleState ?? null,
          agent_version: result.agentVersion ?? null,
          ping_status: result.target.pingStatus,
          restart_will_work: d.restartWillWork ? 1 : 0,
          probed_at: result.probedAt,
        };
        const info = q.insertResult.run({
          ...row,
          target: JSON.stringify(result.target),
          outcome: JSON.stringify(result.outcome),
          diagnosis: JSON.stringify(d),
          raw_output: rawOutput,
        });
        q.upsertLatest.run({ ...row, result_id: Number(info.lastInsertRowid) });
        q.countResult.run({ scan_id: result.scanId, verdict: result.verdict });
      })();
    },

    /** Ends a running scan (a finished one is left as it is); counts default to what its results say. */
    finishScan,

    /** The latest summary of every instance a scan stored, by instance id. */
    scanResults(scanId: string): InstanceSummary[] {
      return (q.scanResults.all(scanId) as SummaryDb[]).map(toSummary);
    },

    scanResult(scanId: string, instanceId: string): StoredResult | undefined {
      const r = q.scanResult.get(scanId, instanceId) as ResultDb | undefined;
      return r ? toResult(r) : undefined;
    },

    /** The newest diagnosis of every instance ever scanned, filtered and paginated, ordered by instance id. */
    latestResults(filter: LatestFilter = {}): { total: number; items: InstanceSummary[] } {
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
      const clause = where.length ? `WHERE ${where.join(" AND ")}` : "";
      const limit = Math.min(Math.max(filter.limit ?? 100, 1), MAX_PAGE);
      const offset = Math.max(filter.offset ?? 0, 0);
      if (filter.q) {
        // Free text means what the table's means (lib/instances/free-text.ts), so it is matched here, not in SQL.
        const { q: text, verdictLabel } = filter;
        const matching = (
          db
            .prepare(`SELECT ${LATEST_COLUMNS} FROM latest ${clause} ORDER BY instance_id`)
            .all(...params) as SummaryDb[]
        )
          .map(toSummary)
          .filter((r) => matchesFreeText(r, text, verdictLabel));
        return { total: matching.length, items: matching.slice(offset, offset + limit) };
      }
      const total = (db.prepare(`SELECT count(*) AS n FROM latest ${clause}`).get(...params) as { n: number }).n;
      const items = (
        db
          .prepare(`SELECT ${LATEST_COLUMNS} FROM latest ${clause} ORDER BY instance_id LIMIT ? OFFSET ?`)
          .all(...params, limit, offset) as SummaryDb[]
      ).map(toSummary);
      return { total, items };
    },

    /** Newest first, with the raw probe output of each. */
    instanceHistory(instanceId: string, limit = 50): StoredResult[] {
      return (q.history.all(instanceId, Math.min(Math.max(limit, 1), MAX_PAGE)) as ResultDb[]).map(toResult);
    },

    latestResult(instanceId: string): StoredResult | undefined {
      const r = q.latestResult.get(instanceId) as ResultDb | undefined;
      return r ? toResult(r) : undefined;
    },

    /**
     * Instances per (group or agent version, verdict) over the latest results of the scope (lib/store/fleets.ts);
     * `key` is null when absent. Aggregated in SQLite so the overview never loads every row.
     */
    verdictsBy(
      column: "group" | "agentVersion",
      scope: FleetScope = {},
    ): { key: string | null; verdict: Verdict; n: number }[] {
      const key = column === "group" ? "group_name" : "agent_version";
      const { where, params } = scopeConditions(scope);
      const clause = where.length ? `WHERE ${where.join(" AND ")}` : "";
      return db
        .prepare(`SELECT ${key} AS key, verdict, count(*) AS n FROM latest ${clause} GROUP BY ${key}, verdict`)
        .all(...params) as { key: string | null; verdict: Verdict; n: number }[];
    },

    /**
     * Changes whenever the latest results change (a result saved, results removed with their scan): a cheap key for
     * caching anything computed from every instance's latest result.
     */
    latestVersion(): string {
      const r = q.latestVersion.get() as { id: number | null; n: number; g: number };
      return `${r.id ?? 0}.${r.n}.${r.g}`;
    },

    /** Instances per verdict in the scope: one fleet's and not gone (lib/store/fleets.ts), or every fleet's. */
    verdictCounts(scope: FleetScope = {}): Record<Verdict, number> {
      const counts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
      const { where, params } = scopeConditions(scope);
      const clause = where.length ? `WHERE ${where.join(" AND ")}` : "";
      const rows = db.prepare(`SELECT verdict, count(*) AS n FROM latest ${clause} GROUP BY verdict`).all(...params);
      for (const r of rows as { verdict: Verdict; n: number }[]) counts[r.verdict] = r.n;
      return counts;
    },

    /**
     * Marks `interrupted` every running scan whose process is gone (a crash or a kill), with a final
     * `scan-finished` event so streams close; its results and events stay. Returns the ids marked.
     */
    markInterruptedScans(): string[] {
      const rows = (q.running.all() as ScanDb[]).filter(
        (r) => r.owner_pid !== process.pid && (r.owner_pid === null || !processAlive(r.owner_pid)),
      );
      return db.transaction(() => {
        for (const r of rows) {
          const counts = countsOf(r.id);
          finishScan(r.id, "interrupted", counts, "The process running this scan stopped before it finished.");
          appendEvent(r.id, { type: "scan-finished", status: "interrupted", counts, at: new Date().toISOString() });
        }
        return rows.map((r) => r.id);
      })();
    },

    close(): void {
      if (db.open) db.close();
    },
  };
  store.markInterruptedScans();
  return store;
}

/** Throws NOT_FOUND naming the scan when it does not exist. */
export function requireScan(store: Store, id: string): ScanRow {
  const scan = store.getScan(id);
  if (!scan) throw new FleetDoctorError("NOT_FOUND", `No scan with id ${id}`, { scanId: id });
  return scan;
}
