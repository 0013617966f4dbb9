import { randomUUID } from "node:crypto";
import type Database from "better-sqlite3";
import type { SweepFleet, SweepRow } from "../scan/sweep-types.ts";
import type { Targets } from "../scan/types.ts";
import type { SweepStore } from "./interfaces.ts";

/** A sweep row and its fleets as both engines store them (migrations/sweeps-001.ts). */
export type SweepDb = {
  id: string;
  status: SweepRow["status"];
  actor: string | null;
  targets: string;
  started_at: string;
  finished_at: string | null;
};
export type SweepFleetDb = {
  sweep_id: string;
  fleet: string;
  scan_id: string | null;
  joined: number;
  error_code: string | null;
  error: string | null;
};

export const MAX_SWEEPS = 200;
/** An error's message is AWS's or ours: capped, so a long one never bloats a row or a page. */
const MAX_ERROR = 500;

export function toSweep(r: SweepDb, fleets: SweepFleetDb[]): SweepRow {
  return {
    id: r.id,
    status: r.status,
    ...(r.actor !== null ? { actor: r.actor } : {}),
    targets: JSON.parse(r.targets) as Targets,
    startedAt: r.started_at,
    ...(r.finished_at !== null ? { finishedAt: r.finished_at } : {}),
    fleets: fleets.map(toSweepFleet),
  };
}

function toSweepFleet(f: SweepFleetDb): SweepFleet {
  return {
    fleet: f.fleet,
    ...(f.scan_id !== null ? { scanId: f.scan_id } : {}),
    ...(Number(f.joined) === 1 ? { joined: true } : {}),
    ...(f.error_code !== null ? { error: { code: f.error_code, message: f.error ?? "" } } : {}),
  };
}

/** The columns an entry writes (an entry with neither scan nor error leaves the fleet pending). */
export function entryParams(sweepId: string, e: SweepFleet) {
  return {
    sweep_id: sweepId,
    fleet: e.fleet,
    scan_id: e.scanId ?? null,
    joined: e.joined ? 1 : 0,
    error_code: e.error ? e.error.code.slice(0, 100) : null,
    error: e.error ? e.error.message.slice(0, MAX_ERROR) : null,
  };
}

export function newSweep(input: { fleets: string[]; targets: Targets; actor?: string; id?: string }) {
  return {
    id: input.id ?? randomUUID(),
    status: "running" as const,
    actor: input.actor ?? null,
    targets: JSON.stringify(input.targets),
    fleets: JSON.stringify(input.fleets),
    started_at: new Date().toISOString(),
  };
}

/** The SQLite implementation of SweepStore. */
export function sweepStore(db: Database.Database): SweepStore {
  const q = {
    insert: db.prepare(
      `INSERT INTO sweeps (id, status, actor, targets, fleets, started_at)
       VALUES (@id, @status, @actor, @targets, @fleets, @started_at)`,
    ),
    insertFleet: db.prepare(`INSERT INTO sweep_fleets (sweep_id, fleet, position) VALUES (?, ?, ?)`),
    record: db.prepare(
      `UPDATE sweep_fleets SET scan_id = @scan_id, joined = @joined, error_code = @error_code, error = @error
       WHERE sweep_id = @sweep_id AND fleet = @fleet`,
    ),
    finish: db.prepare(`UPDATE sweeps SET status = ?, finished_at = ? WHERE id = ? AND status = 'running'`),
    get: db.prepare(`SELECT * FROM sweeps WHERE id = ?`),
    fleets: db.prepare(`SELECT * FROM sweep_fleets WHERE sweep_id = ? ORDER BY position`),
    list: db.prepare(`SELECT * FROM sweeps ORDER BY n DESC LIMIT ?`),
    listBefore: db.prepare(
      `SELECT * FROM sweeps WHERE n < (SELECT n FROM sweeps WHERE id = ?) ORDER BY n DESC LIMIT ?`,
    ),
  };
  const createTx = db.transaction((row: ReturnType<typeof newSweep>, fleets: string[]) => {
    q.insert.run(row);
    for (const [i, f] of fleets.entries()) q.insertFleet.run(row.id, f, i);
  });
  const withFleets = (r: SweepDb) => toSweep(r, q.fleets.all(r.id) as SweepFleetDb[]);
  return {
    async create(input) {
      const row = newSweep(input);
      createTx.immediate(row, [...new Set(input.fleets)]);
      return withFleets(q.get.get(row.id) as SweepDb);
    },
    async recordFleet(sweepId, entry) {
      q.record.run(entryParams(sweepId, entry));
    },
    async finish(sweepId, status) {
      return q.finish.run(status, new Date().toISOString(), sweepId).changes === 1;
    },
    async get(id) {
      const r = q.get.get(id) as SweepDb | undefined;
      return r ? withFleets(r) : undefined;
    },
    async list(opts = {}) {
      const limit = Math.min(Math.max(opts.limit ?? 50, 1), MAX_SWEEPS);
      const rows = (opts.before ? q.listBefore.all(opts.before, limit) : q.list.all(limit)) as SweepDb[];
      return rows.map(withFleets);
    },
  };
}
