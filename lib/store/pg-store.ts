import { EventEmitter } from "node:events";
import type pg from "pg";
import type { Verdict } from "../diagnosis/types.ts";
import { VERDICTS } from "../diagnosis/types.ts";
import { matchesFreeText } from "../instances/free-text.ts";
import { targetKey } from "../scan/targets.ts";
import type { InstanceResult, ScanEvent, ScanStatus } from "../scan/types.ts";
import { pgEcsQueries } from "./ecs.ts";
import { fleetBusy, isFleetBusyError } from "./fleet-busy.ts";
import { instanceFleetCondition, latestConditions, pgFleetStateQueries } from "./fleets.ts";
import type { ScanFinishedExtra, ScanWrite, Store } from "./interfaces.ts";
import { pgLeaseTable } from "./leases.ts";
import { inTransaction, migratePg, NOW_MS, numbered, openPool, type Queryable } from "./pg.ts";
import { pgActionAuditStore } from "./pg-actions.ts";
import { pgAlertStore } from "./pg-alerts.ts";
import { pgAutopilotStore } from "./pg-autopilot.ts";
import { pgGroupFixStore } from "./pg-group-fixes.ts";
import { notifyStored, pgEventListener, wakePayload } from "./pg-notify.ts";
import { PG_ABANDONED_SQL, pgScanTakeoverStore } from "./pg-scan-takeover.ts";
import { pgSweepStore } from "./pg-sweeps.ts";
import { redactedUrl } from "./pg-url.ts";
import { pgWatchQueries } from "./pg-watch.ts";
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
import type { StoreOptions } from "./store.ts";
import { pgTimelineQueries } from "./timeline.ts";
import type { LatestFilter, ScanRow, StoredEvent, VerdictCounts } from "./types.ts";

/** Results per statement when many are saved at once (17 arrays of this length per statement). */
const BATCH = 1000;

const ABANDONED = "The process running this scan stopped before it finished (its lease expired).";

export type PgStore = Store & {
  /** Settles once the pool answered and the migrations ran (every verb waits for it; a failure rejects each). */
  readonly ready: Promise<void>;
};

/**
 * Opens the PostgreSQL store at `url` (postgres://...): the same `Store` as openStore (store.ts) gives over SQLite,
 * over a pool. It returns at once; the migrations run first, under an advisory lock (lib/store/pg.ts), and every
 * verb waits for them. A unit of work is one transaction; one that numbers a scan's events or counts its results
 * locks the scan's row first, so that replicas and concurrent requests write one after the other. The heartbeat
 * is the SQLite store's, with every lease time read from the database's clock.
 */
export function openPgStore(url: string, opts: StoreOptions & { poolSize?: number } = {}): PgStore {
  const pool = openPool(url, opts.poolSize);
  const owner = opts.owner ?? crypto.randomUUID();
  const ttlMs = (opts.leaseTtlSeconds ?? 30) * 1000;
  const leases = pgLeaseTable(pool, owner, ttlMs);
  const wake = new EventEmitter();
  wake.setMaxListeners(0);
  // Other replicas' stored events wake this one's streams too (LISTEN/NOTIFY; see pg-notify.ts).
  const listener = pgEventListener(url, owner, wake);

  const migrated = migratePg(pool);
  // Every verb awaits this; a failed migration is also reported by `ready` (and by each verb), never unhandled.
  migrated.catch(() => {});
  const db: Queryable = {
    async query(text, values) {
      await migrated;
      return pool.query(text, values);
    },
  };
  const tx = async <T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> => {
    await migrated;
    return inTransaction(pool, fn);
  };
  const one = async <T extends pg.QueryResultRow>(c: Queryable, sql: string, params: unknown[] = []) =>
    (await c.query<T>(sql, params)).rows[0];

  async function getScan(c: Queryable, id: string): Promise<ScanRow | undefined> {
    const r = await one<ScanDb>(c, `SELECT * FROM scans WHERE id = $1`, [id]);
    return r ? toScan(r) : undefined;
  }

  async function lockScan(c: Queryable, id: string): Promise<void> {
    await c.query(`SELECT 1 FROM scans WHERE id = $1 FOR UPDATE`, [id]);
  }

  async function insertEvent(c: Queryable, scanId: string, event: ScanEvent): Promise<number> {
    const r = await c.query<{ seq: number }>(
      `INSERT INTO scan_events (scan_id, seq, type, at, data)
       SELECT $1, coalesce(max(seq), 0) + 1, $2, $3, $4 FROM scan_events WHERE scan_id = $1 RETURNING seq`,
      [scanId, event.type, event.at, JSON.stringify(event)],
    );
    await notifyStored(c, owner, `scan:${scanId}`);
    return r.rows[0]!.seq;
  }

  async function saveResult(c: Queryable, result: InstanceResult, rawOutput: string): Promise<void> {
    const { summary: s, full: f } = resultRow(result, rawOutput);
    // The result's fleet is its scan's, read from the scan's row ('' for a scan without one).
    const inserted = await c.query<{ id: string; fleet: string }>(
      `INSERT INTO results (scan_id, instance_id, fleet, verdict, cause, summary, group_name, lifecycle_state,
         agent_version, ping_status, restart_will_work, probed_at, registered, target, outcome, diagnosis, raw_output,
         ecs)
       VALUES ($1, $2, coalesce((SELECT s.fleet FROM scans s WHERE s.id = $1), ''), $3, $4, $5, $6, $7, $8, $9, $10,
         $11, $12, $13, $14, $15, $16, $17) RETURNING id, fleet`,
      [
        f.scan_id,
        f.instance_id,
        f.verdict,
        f.cause,
        f.summary,
        f.group_name,
        f.lifecycle_state,
        f.agent_version,
        f.ping_status,
        f.restart_will_work,
        f.probed_at,
        f.registered,
        f.target,
        f.outcome,
        f.diagnosis,
        f.raw_output,
        f.ecs,
      ],
    );
    const { id: resultId, fleet } = inserted.rows[0]!;
    // A row from before fleets were recorded is this fleet's instance: the fleet's result replaces it.
    if (fleet !== "") await c.query(`DELETE FROM latest WHERE fleet = '' AND instance_id = $1`, [s.instance_id]);
    await c.query(
      `INSERT INTO latest (instance_id, result_id, scan_id, verdict, cause, summary, group_name, lifecycle_state,
         agent_version, ping_status, restart_will_work, probed_at, registered, fleet)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (fleet, instance_id) DO UPDATE SET result_id = excluded.result_id, scan_id = excluded.scan_id,
         verdict = excluded.verdict, cause = excluded.cause, summary = excluded.summary,
         group_name = excluded.group_name, lifecycle_state = excluded.lifecycle_state,
         agent_version = excluded.agent_version, ping_status = excluded.ping_status,
         restart_will_work = excluded.restart_will_work, probed_at = excluded.probed_at,
         registered = excluded.registered
       WHERE excluded.probed_at >= latest.probed_at`,
      [
        s.instance_id,
        resultId,
        s.scan_id,
        s.verdict,
        s.cause,
        s.summary,
        s.group_name,
        s.lifecycle_state,
        s.agent_version,
        s.ping_status,
        s.restart_will_work,
        s.probed_at,
        s.registered,
        fleet,
      ],
    );
    // SQLite: json_set(counts, '$."<verdict>"', ... + 1). The counts stay JSON text in both engines.
    await c.query(
      `UPDATE scans SET done = done + 1,
         counts = jsonb_set(counts::jsonb, ARRAY[$2::text], to_jsonb(coalesce((counts::jsonb ->> $2::text)::int, 0) + 1))::text
       WHERE id = $1`,
      [s.scan_id, s.verdict],
    );
  }

  /**
   * Many results in three statements (imports, benchmarks): one round trip per result would make 10,000 of them
   * take seconds on a network. The same rows as saveResult's, instance ids distinct within the batch.
   */
  async function saveBatch(c: Queryable, items: { result: InstanceResult; rawOutput: string }[]): Promise<void> {
    const rows = items.map((x) => resultRow(x.result, x.rawOutput).full);
    const col = <K extends keyof (typeof rows)[number]>(k: K) => rows.map((r) => r[k]);
    // A row from before fleets were recorded is the instance of the fleet whose result now arrives: replaced.
    await c.query(
      `DELETE FROM latest l USING unnest($1::text[], $2::text[]) AS u(scan_id, instance_id), scans s
       WHERE s.id = u.scan_id AND coalesce(s.fleet, '') <> '' AND l.fleet = '' AND l.instance_id = u.instance_id`,
      [col("scan_id"), col("instance_id")],
    );
    // Each result's fleet is its scan's, read from the scan's row.
    await c.query(
      `WITH inserted AS (
         INSERT INTO results (scan_id, instance_id, verdict, cause, summary, group_name, lifecycle_state,
           agent_version, ping_status, restart_will_work, probed_at, registered, target, outcome, diagnosis,
           raw_output, ecs, fleet)
         SELECT u.*, coalesce((SELECT s.fleet FROM scans s WHERE s.id = u.scan_id), '')
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
           $8::text[], $9::text[], $10::int[], $11::text[], $12::int[], $13::text[], $14::text[], $15::text[],
           $16::text[], $17::text[]) AS u(scan_id, instance_id, verdict, cause, summary, group_name,
             lifecycle_state, agent_version, ping_status, restart_will_work, probed_at, registered, target, outcome,
             diagnosis, raw_output, ecs)
         RETURNING id, scan_id, instance_id, verdict, cause, summary, group_name, lifecycle_state, agent_version,
           ping_status, restart_will_work, probed_at, registered, fleet
       )
       INSERT INTO latest (instance_id, result_id, scan_id, verdict, cause, summary, group_name, lifecycle_state,
         agent_version, ping_status, restart_will_work, probed_at, registered, fleet)
       SELECT instance_id, id, scan_id, verdict, cause, summary, group_name, lifecycle_state, agent_version,
         ping_status, restart_will_work, probed_at, registered, fleet FROM inserted
       ON CONFLICT (fleet, instance_id) DO UPDATE SET result_id = excluded.result_id, scan_id = excluded.scan_id,
         verdict = excluded.verdict, cause = excluded.cause, summary = excluded.summary,
         group_name = excluded.group_name, lifecycle_state = excluded.lifecycle_state,
         agent_version = excluded.agent_version, ping_status = excluded.ping_status,
         restart_will_work = excluded.restart_will_work, probed_at = excluded.probed_at,
         registered = excluded.registered
       WHERE excluded.probed_at >= latest.probed_at`,
      [
        col("scan_id"),
        col("instance_id"),
        col("verdict"),
        col("cause"),
        col("summary"),
        col("group_name"),
        col("lifecycle_state"),
        col("agent_version"),
        col("ping_status"),
        col("restart_will_work"),
        col("probed_at"),
        col("registered"),
        col("target"),
        col("outcome"),
        col("diagnosis"),
        col("raw_output"),
        col("ecs"),
      ],
    );
    // The scans' counts, per scan and verdict, as saveResult adds them one by one.
    const added = new Map<string, Map<string, number>>();
    for (const r of rows) {
      const byVerdict = added.get(r.scan_id) ?? new Map<string, number>();
      byVerdict.set(r.verdict, (byVerdict.get(r.verdict) ?? 0) + 1);
      added.set(r.scan_id, byVerdict);
    }
    for (const [scanId, byVerdict] of added) {
      await c.query(
        `UPDATE scans SET done = done + $2,
           counts = (SELECT (counts::jsonb || coalesce(jsonb_object_agg(v, coalesce((counts::jsonb ->> v)::int, 0) + n), '{}'))::text
                     FROM unnest($3::text[], $4::int[]) AS a(v, n))
         WHERE id = $1`,
        [scanId, [...byVerdict.values()].reduce((a, b) => a + b, 0), [...byVerdict.keys()], [...byVerdict.values()]],
      );
    }
  }

  async function finishScan(
    id: string,
    status: Exclude<ScanStatus, "running">,
    error?: string,
    extra?: ScanFinishedExtra,
  ): Promise<StoredEvent | undefined> {
    const stored = await tx(async (c): Promise<StoredEvent | undefined> => {
      await lockScan(c, id);
      const counts: VerdictCounts = {};
      const rows = await c.query<{ verdict: Verdict; n: number }>(
        `SELECT verdict, count(*)::int AS n FROM results WHERE scan_id = $1 GROUP BY verdict`,
        [id],
      );
      for (const r of rows.rows) counts[r.verdict] = r.n;
      const changed = await c.query(
        `UPDATE scans SET status = $1, finished_at = $2, counts = $3, error = $4, running_fleet = NULL
         WHERE id = $5 AND status = 'running'`,
        [status, new Date().toISOString(), JSON.stringify(counts), error ?? null, id],
      );
      await leases.release(c, "scan", id);
      if (changed.rowCount === 0) return undefined;
      const event: ScanEvent = { type: "scan-finished", status, counts, ...extra, at: new Date().toISOString() };
      return { seq: await insertEvent(c, id, event), event };
    });
    if (stored) wake.emit(`scan:${id}`);
    return stored;
  }

  async function interruptAbandonedScans(): Promise<string[]> {
    const r = await db.query<{ id: string }>(
      `SELECT s.id FROM scans s LEFT JOIN leases l ON l.kind = 'scan' AND l.id = s.id WHERE ${PG_ABANDONED_SQL}`,
      [ttlMs],
    );
    const ended: string[] = [];
    for (const { id } of r.rows) if (await finishScan(id, "interrupted", ABANDONED)) ended.push(id);
    return ended;
  }

  /** The WHERE clause of a scope and filter, with PostgreSQL's numbered parameters. */
  function latestWhere(filter: LatestFilter): { clause: string; params: unknown[] } {
    const { where, params } = latestConditions(filter);
    return { clause: where.length ? numbered(`WHERE ${where.join(" AND ")}`) : "", params };
  }

  /** Whether a running scan's owner died and nobody is to take it over (PG_ABANDONED_SQL). */
  const abandoned = async (id: string) =>
    (
      await db.query(
        `SELECT 1 FROM scans s LEFT JOIN leases l ON l.kind = 'scan' AND l.id = s.id WHERE s.id = $2 AND ${PG_ABANDONED_SQL}`,
        [ttlMs, id],
      )
    ).rows.length > 0;

  const actions = pgActionAuditStore(db, tx, leases, wake, () => listener.listen());

  // The heartbeat (as the SQLite store's), never two at once; unref'd, it never keeps a process alive on its own.
  let closed = false;
  let beating: Promise<void> | undefined;
  const beat = () => {
    if (beating || closed) return;
    beating = (async () => {
      try {
        await migrated;
        await leases.heartbeat();
        await interruptAbandonedScans();
      } catch (e) {
        if (!closed) console.error("[fleet-doctor] lease heartbeat failed:", e);
      } finally {
        beating = undefined;
      }
    })();
  };
  const timer = setInterval(beat, Math.max(200, Math.floor(ttlMs / 3)));
  timer.unref();

  const store: PgStore = {
    path: redactedUrl(url),
    owner,
    actions,
    alerts: pgAlertStore(db),
    groupFixes: pgGroupFixStore(db),
    timeline: pgTimelineQueries(db),
    autopilot: pgAutopilotStore(db, tx),
    sweeps: pgSweepStore(db),
    ...pgScanTakeoverStore(db, tx, leases),
    ready: migrated.then(async () => {
      await interruptAbandonedScans();
    }),
    ...pgFleetStateQueries(db),
    ...pgEcsQueries(db),
    ...pgWatchQueries(db),
    leaseTtlMs: ttlMs,

    async claimLeadership(name) {
      // One statement takes a free (or run-out) lease; a live one of this store's is already ours.
      await migrated;
      if (await leases.takeIfFree(pool, "leader", name)) return true;
      return (await leases.live(pool, "leader", name))?.owner === owner;
    },
    async leaderOf(name) {
      await migrated;
      return leases.live(pool, "leader", name);
    },
    leadershipSignal(name) {
      return leases.signal("leader", name);
    },
    async resign(name) {
      await migrated;
      await leases.releaseMine(pool, "leader", name);
    },

    async createScan(input) {
      const id = input.id ?? crypto.randomUUID();
      const runningOf = async (fleet: string) =>
        (await one<{ id: string }>(db, `SELECT id FROM scans WHERE running_fleet = $1`, [fleet]))?.id;
      // A scan of the fleet whose owner died holds the fleet until it is ended: end it first.
      const before = input.fleet ? await runningOf(input.fleet) : undefined;
      if (before && (await abandoned(before))) {
        await finishScan(before, "interrupted", ABANDONED);
      }
      try {
        return await tx(async (c) => {
          // Of two replicas inserting at once, the unique index makes the second wait for the first's COMMIT
          // and then fail: one scan per fleet, decided by the database.
          await c.query(
            `INSERT INTO scans (id, status, targets, target_key, actor, owner_pid, started_at, running_fleet, fleet)
             VALUES ($1, 'running', $2, $3, $4, $5, $6, $7, $7)`,
            [
              id,
              JSON.stringify(input.targets),
              targetKey(input.targets),
              input.actor ?? null,
              process.pid,
              new Date().toISOString(),
              input.fleet ?? null,
            ],
          );
          await leases.acquire(c, "scan", id);
          return (await getScan(c, id))!;
        });
      } catch (e) {
        if (input.fleet && isFleetBusyError(e)) throw fleetBusy(input.fleet, await runningOf(input.fleet));
        throw e;
      }
    },

    async getScan(id) {
      const scan = await getScan(db, id);
      // A reader is where an abandoned scan is first seen: end it now rather than at the next heartbeat.
      if (scan?.status === "running" && (await abandoned(id))) {
        await finishScan(id, "interrupted", ABANDONED);
        return getScan(db, id);
      }
      return scan;
    },

    async getScanProgress(id) {
      await store.getScan(id); // ends it first if its owner died
      const r = await one<ScanDb & { last_seq: number }>(
        db,
        `SELECT s.*, (SELECT coalesce(max(seq), 0) FROM scan_events e WHERE e.scan_id = s.id) AS last_seq
         FROM scans s WHERE s.id = $1`,
        [id],
      );
      return r ? { scan: toScan(r), lastSeq: r.last_seq } : undefined;
    },

    async listScans(opts = {}) {
      await interruptAbandonedScans();
      const limit = Math.min(Math.max(opts.limit ?? 50, 1), MAX_PAGE);
      // `n` is the order of creation (SQLite's rowid).
      const r = opts.before
        ? await db.query<ScanDb>(
            `SELECT * FROM scans WHERE n < (SELECT n FROM scans WHERE id = $1) ORDER BY n DESC LIMIT $2`,
            [opts.before, limit],
          )
        : await db.query<ScanDb>(`SELECT * FROM scans ORDER BY n DESC LIMIT $1`, [limit]);
      return r.rows.map(toScan);
    },

    async runningScanFor(targets) {
      const r = await one<ScanDb>(
        db,
        `SELECT s.* FROM scans s JOIN leases l ON l.kind = 'scan' AND l.id = s.id
         WHERE s.status = 'running' AND s.target_key = $1
           AND l.expires_at >= ${NOW_MS}
         ORDER BY s.n DESC LIMIT 1`,
        [targetKey(targets)],
      );
      return r ? toScan(r) : undefined;
    },

    async finishScan(id, status, error, extra) {
      return finishScan(id, status, error, extra);
    },

    async requestScanCancel(id) {
      await migrated;
      return leases.requestCancel("scan", id);
    },

    scanCancelSignal(id) {
      return leases.signal("scan", id);
    },

    async interruptAbandonedScans() {
      return interruptAbandonedScans();
    },

    async appendEvent(scanId, event, write?: ScanWrite) {
      return (await store.appendEvents(scanId, [{ event, ...(write ? { write } : {}) }]))[0]!;
    },

    async appendEvents(scanId, items) {
      if (items.length === 0) return [];
      await migrated;
      // One statement (one round trip, one transaction, one WAL flush) calls migration pg-perf-001's function per
      // event; with ORDER BY, PostgreSQL evaluates the volatile call after the sort, so in the events' order.
      const rows = items.map(({ event, write }) => {
        const r = write?.kind === "result" ? resultRow(write.result, write.rawOutput).full : undefined;
        return [
          event.type,
          event.at,
          JSON.stringify(event),
          write?.kind === "total" ? write.total : null,
          r?.scan_id ?? null,
          r?.instance_id ?? null,
          r?.verdict ?? null,
          r?.cause ?? null,
          r?.summary ?? null,
          r?.group_name ?? null,
          r?.lifecycle_state ?? null,
          r?.agent_version ?? null,
          r?.ping_status ?? null,
          r?.restart_will_work ?? null,
          r?.probed_at ?? null,
          r?.registered ?? null,
          r?.target ?? null,
          r?.outcome ?? null,
          r?.diagnosis ?? null,
          r?.raw_output ?? null,
          r?.ecs ?? null,
        ];
      });
      const stored = await pool.query<{ seq: number }>({
        name: "fleet-doctor-append-scan-events",
        text: `SELECT fleet_doctor_append_scan_event($1, t.type, t.at, t.data, $2, t.total, t.r_scan_id, t.r_instance_id,
            t.r_verdict, t.r_cause, t.r_summary, t.r_group_name, t.r_lifecycle_state, t.r_agent_version,
            t.r_ping_status, t.r_restart_will_work, t.r_probed_at, t.r_registered, t.r_target, t.r_outcome,
            t.r_diagnosis, t.r_raw_output, t.r_ecs) AS seq
          FROM unnest($3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::text[], $9::text[], $10::text[],
            $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::int[], $17::text[], $18::int[],
            $19::text[], $20::text[], $21::text[], $22::text[], $23::text[]) WITH ORDINALITY
            AS t(type, at, data, total, r_scan_id, r_instance_id, r_verdict, r_cause, r_summary, r_group_name,
              r_lifecycle_state, r_agent_version, r_ping_status, r_restart_will_work, r_probed_at, r_registered,
              r_target, r_outcome, r_diagnosis, r_raw_output, r_ecs, i)
          ORDER BY t.i`,
        values: [scanId, wakePayload(owner, `scan:${scanId}`), ...rows[0]!.map((_, k) => rows.map((row) => row[k]))],
      });
      wake.emit(`scan:${scanId}`);
      return stored.rows.map((row) => row.seq);
    },

    async eventsSince(scanId, afterSeq, limit = 10_000) {
      const r = await db.query<{ seq: number; data: string }>(
        `SELECT seq, data FROM scan_events WHERE scan_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
        [scanId, afterSeq, limit],
      );
      return r.rows.map((row) => ({ seq: row.seq, event: JSON.parse(row.data) as ScanEvent }));
    },

    onScanEvent(scanId, fn) {
      listener.listen();
      wake.on(`scan:${scanId}`, fn);
      return () => wake.off(`scan:${scanId}`, fn);
    },

    async saveResult(result, rawOutput) {
      await tx((c) => saveResult(c, result, rawOutput));
    },

    async saveResults(items) {
      await tx(async (c) => {
        for (let i = 0; i < items.length; i += BATCH) {
          const chunk = items.slice(i, i + BATCH);
          // One instance twice in a chunk: the latest upsert of one statement cannot touch a row twice, so those
          // go one by one (in order, as SQLite stores them).
          if (new Set(chunk.map((x) => x.result.instanceId)).size < chunk.length) {
            for (const x of chunk) await saveResult(c, x.result, x.rawOutput);
          } else await saveBatch(c, chunk);
        }
      });
    },

    async scanResults(scanId) {
      const r = await db.query<SummaryDb>(
        `SELECT ${SUMMARY_COLUMNS} FROM results WHERE scan_id = $1 ORDER BY instance_id`,
        [scanId],
      );
      return r.rows.map(toSummary);
    },

    async scanResult(scanId, instanceId) {
      const r = await one<ResultDb>(db, `SELECT * FROM results WHERE scan_id = $1 AND instance_id = $2`, [
        scanId,
        instanceId,
      ]);
      return r ? toResult(r) : undefined;
    },

    async latestResults(filter: LatestFilter = {}) {
      const { clause, params } = latestWhere(filter);
      const limit = Math.min(Math.max(filter.limit ?? 100, 1), MAX_PAGE);
      const offset = Math.max(filter.offset ?? 0, 0);
      if (filter.q) {
        // Free text means what the table's means (lib/instances/free-text.ts), so it is matched here, not in SQL.
        const { q: text, verdictLabel } = filter;
        const all = await db.query<SummaryDb>(
          `SELECT ${LATEST_COLUMNS} FROM latest ${clause} ORDER BY instance_id, fleet`,
          params,
        );
        const matching = all.rows.map(toSummary).filter((r) => matchesFreeText(r, text, verdictLabel));
        return { total: matching.length, items: matching.slice(offset, offset + limit) };
      }
      const total = (await one<{ n: number }>(db, `SELECT count(*)::int AS n FROM latest ${clause}`, params))!.n;
      const n = params.length;
      const items = await db.query<SummaryDb>(
        `SELECT ${LATEST_COLUMNS} FROM latest ${clause} ORDER BY instance_id, fleet LIMIT $${n + 1} OFFSET $${n + 2}`,
        [...params, limit, offset],
      );
      return { total, items: items.rows.map(toSummary) };
    },

    async instanceHistory(instanceId, limit = 50, fleet) {
      const r = await db.query<ResultDb>(
        numbered(`SELECT * FROM results WHERE instance_id = ? AND ${instanceFleetCondition("results")}
          ORDER BY probed_at DESC, id DESC LIMIT ?`),
        [instanceId, fleet ?? null, Math.min(Math.max(limit, 1), MAX_PAGE)],
      );
      return r.rows.map(toResult);
    },

    async latestResult(instanceId, fleet) {
      const r = await one<ResultDb>(
        db,
        numbered(`SELECT r.* FROM latest l JOIN results r ON r.id = l.result_id
          WHERE l.instance_id = ? AND ${instanceFleetCondition("l")}
          ORDER BY l.probed_at DESC, l.result_id DESC LIMIT 1`),
        [instanceId, fleet ?? null],
      );
      return r ? toResult(r) : undefined;
    },

    async verdictsBy(column, scope = {}) {
      const key = column === "group" ? "group_name" : "agent_version";
      const { clause, params } = latestWhere(scope);
      const r = await db.query<{ key: string | null; verdict: Verdict; n: number }>(
        `SELECT ${key} AS key, verdict, count(*)::int AS n FROM latest ${clause} GROUP BY ${key}, verdict`,
        params,
      );
      return r.rows;
    },

    async latestVersion() {
      const r = (await one<{ id: string | null; n: number; g: number }>(
        db,
        `SELECT (SELECT max(id) FROM results)::text AS id, (SELECT count(*) FROM latest)::int AS n,
           (SELECT count(*) FROM fleet_gone)::int AS g`,
      ))!;
      return `${r.id ?? 0}.${r.n}.${r.g}`;
    },

    async verdictCounts(scope = {}) {
      const counts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
      const { clause, params } = latestWhere(scope);
      const r = await db.query<{ verdict: Verdict; n: number }>(
        `SELECT verdict, count(*)::int AS n FROM latest ${clause} GROUP BY verdict`,
        params,
      );
      for (const row of r.rows) counts[row.verdict] = row.n;
      return counts;
    },

    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await listener.close();
      await beating;
      await migrated.catch(() => {});
      await pool.end();
    },
  };
  store.ready.catch(() => {});
  return store;
}
