import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { freshDatabase, type PostgresServer, postgresServer } from "../../test/helpers/postgres.ts";
import type { Verdict } from "../diagnosis/types.ts";
import type { InstanceResult } from "../scan/types.ts";
import { migrate } from "./migrate.ts";
import { MIGRATIONS } from "./migrations/index.ts";
import { migratePg } from "./pg.ts";
import { openPgStore } from "./pg-store.ts";
import { openStore, type Store } from "./store.ts";

const dirs: string[] = [];
const stores: Store[] = [];
const databases: { drop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  for (const d of databases.splice(0)) await d.drop();
});

function tempFile(): string {
  const d = mkdtempSync(path.join(tmpdir(), "fd-store-"));
  dirs.push(d);
  return path.join(d, "nested", "fleet.db");
}

function open(file = ":memory:", opts: Parameters<typeof openStore>[1] = {}): Store {
  const s = openStore(file, opts);
  stores.push(s);
  return s;
}

// A real PostgreSQL server for this file (the given one or one started here); a fresh database per test.
let server: PostgresServer | undefined;
beforeAll(async () => {
  server = await postgresServer();
});
afterAll(async () => {
  await server?.stop();
});

/**
 * One engine as the contract tests see it: `fresh` makes an empty database (a file, or a database on the server)
 * that several stores may open, each standing for a process or a replica; `sql` runs a statement on it through a
 * connection of its own (to look underneath the store, or to try what the store never does).
 */
type Engine = {
  name: string;
  fresh(): Promise<string>;
  open(where: string, opts?: Parameters<typeof openStore>[1]): Promise<Store>;
  sql(where: string, statement: string): Promise<Record<string, unknown>[]>;
};

const sqlite: Engine = {
  name: "SQLite",
  fresh: async () => tempFile(),
  open: async (file, opts) => open(file, opts),
  sql: async (file, statement) => {
    const raw = new Database(file);
    try {
      const st = raw.prepare(statement);
      if (st.reader) return st.all() as Record<string, unknown>[];
      st.run();
      return [];
    } finally {
      raw.close();
    }
  },
};

const postgres: Engine = {
  name: "PostgreSQL",
  fresh: async () => {
    const db = await freshDatabase(server!);
    databases.push(db);
    return db.url;
  },
  open: async (url, opts) => {
    const s = openPgStore(url, opts);
    stores.push(s);
    await s.ready;
    return s;
  },
  sql: async (url, statement) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return (await c.query(statement)).rows;
    } finally {
      await c.end();
    }
  },
};

function result(
  scanId: string,
  instanceId: string,
  verdict: Verdict,
  extra: Partial<InstanceResult["target"]> & { probedAt?: string; agentVersion?: string } = {},
): InstanceResult {
  const { probedAt, agentVersion, ...target } = extra;
  return {
    scanId,
    instanceId,
    target: { instanceId, pingStatus: "Online", ...target },
    outcome: { status: "Success", output: "{}", truncated: false, responseCode: 0 },
    diagnosis: {
      verdict,
      summary: `${instanceId} is ${verdict}`,
      evidence: [{ label: "x", value: "y", source: { kind: "probe", field: "f" } }],
      remedies: [],
      restartWillWork: verdict === "lifecycle-404:ready",
    },
    verdict,
    ...(agentVersion ? { agentVersion } : {}),
    probedAt: probedAt ?? new Date().toISOString(),
  };
}

describe("store on SQLite", () => {
  it("creates the folder, uses WAL and records its migrations once", async () => {
    const file = tempFile();
    const s = open(file);
    // The connection is the store's own: look at the file with another one.
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
    const ids = (raw.prepare("SELECT id FROM schema_migrations ORDER BY rowid").all() as { id: string }[]).map(
      (r) => r.id,
    );
    expect(ids).toEqual(MIGRATIONS.map((m) => m.id));
    expect(ids[0]).toBe("001-scans");
    await s.close();
    open(file);
    expect(raw.prepare("SELECT count(*) AS n FROM schema_migrations").get()).toEqual({ n: MIGRATIONS.length });
    raw.close();
  });

  it("applies appended migrations in order, once, and rolls back a failing one", async () => {
    const db = new Database(":memory:");
    const order: string[] = [];
    const steps = [
      { id: "a", up: () => order.push("a") },
      {
        id: "b",
        up: (d: Database.Database) => {
          order.push("b");
          d.exec("CREATE TABLE t (x)");
        },
      },
    ];
    expect(migrate(db, steps)).toEqual(["a", "b"]);
    expect(migrate(db, steps)).toEqual([]);
    const failing = [
      ...steps,
      {
        id: "c",
        up: (d: Database.Database) => {
          d.exec("CREATE TABLE u (x)");
          throw new Error("boom");
        },
      },
    ];
    expect(() => migrate(db, failing)).toThrow("boom");
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'u'").get()).toBeUndefined();
    expect(order).toEqual(["a", "b"]);
    db.close();
  });

  it("plans the latest list on its index at 10,000 instances", async () => {
    const file = tempFile();
    const s = open(file);
    const scan = await s.createScan({ targets: { kind: "all" } });
    await s.saveResults(
      Array.from({ length: 10_000 }, (_, n) => ({
        result: result(scan.id, `i-${n.toString(16).padStart(17, "0")}`, n % 4 ? "healthy" : "at-risk"),
        rawOutput: "x",
      })),
    );
    const raw = new Database(file, { readonly: true });
    const plan = raw
      .prepare("EXPLAIN QUERY PLAN SELECT instance_id FROM latest WHERE verdict IN (?) ORDER BY instance_id LIMIT 5")
      .all("at-risk") as { detail: string }[];
    raw.close();
    expect(plan.map((p) => p.detail).join(" ")).toContain("latest_verdict");
  });
});

describe.each([sqlite, postgres])("store on $name", (e) => {
  it("creates, lists, events and finishes a scan", async () => {
    const s = await e.open(await e.fresh());
    const a = await s.createScan({ targets: { kind: "all" }, actor: "alice" });
    const b = await s.createScan({ targets: { kind: "group", name: "web" } });
    expect(a).toMatchObject({ status: "running", targets: { kind: "all" }, actor: "alice", done: 0, counts: {} });
    expect((await s.listScans()).map((r) => r.id)).toEqual([b.id, a.id]);
    expect((await s.listScans({ before: b.id })).map((r) => r.id)).toEqual([a.id]);
    expect((await s.listScans({ limit: 1 })).map((r) => r.id)).toEqual([b.id]);

    const at = new Date().toISOString();
    expect(await s.appendEvent(a.id, { type: "scan-started", scanId: a.id, targets: { kind: "all" }, at })).toBe(1);
    expect(
      await s.appendEvent(
        a.id,
        { type: "inventory", total: 2, online: 2, offline: 0, at },
        { kind: "total", total: 2 },
      ),
    ).toBe(2);
    expect(await s.appendEvent(b.id, { type: "inventory", total: 0, online: 0, offline: 0, at })).toBe(1);
    expect(await s.eventsSince(a.id, 1)).toEqual([
      { seq: 2, event: { type: "inventory", total: 2, online: 2, offline: 0, at } },
    ]);

    await s.saveResult(result(a.id, "i-0123456789abcdef0", "healthy"), "raw-1");
    await s.saveResult(result(a.id, "i-0123456789abcdef1", "lifecycle-404:ready"), "raw-2");
    expect(await s.getScan(a.id)).toMatchObject({
      total: 2,
      done: 2,
      counts: { healthy: 1, "lifecycle-404:ready": 1 },
    });
    await s.finishScan(a.id, "completed");
    expect(await s.getScan(a.id)).toMatchObject({
      status: "completed",
      counts: { healthy: 1, "lifecycle-404:ready": 1 },
    });
    expect((await s.getScan(a.id))?.finishedAt).toBeDefined();
    // A finished scan is not finished again (a late cancel cannot overwrite completed).
    await s.finishScan(a.id, "cancelled");
    expect((await s.getScan(a.id))?.status).toBe("completed");
    expect(await s.getScan("nope")).toBeUndefined();
  });

  it("stores an instance event with its result as saveResult stores one, numbered after the scan's last event", async () => {
    const s = await e.open(await e.fresh());
    const scan = await s.createScan({ targets: { kind: "all" } });
    const other = await s.createScan({ targets: { kind: "all" } });
    const at = "2026-01-01T00:00:00.000Z";
    const ecs = { registered: false, clustersSearched: 1 };
    const a = { ...result(scan.id, "i-0000000000000000a", "at-risk", { group: "web" }), ecs };
    const b = result(scan.id, "i-0000000000000000b", "healthy");
    expect(
      await s.appendEvent(
        scan.id,
        { type: "inventory", total: 2, online: 2, offline: 0, at },
        { kind: "total", total: 2 },
      ),
    ).toBe(1);
    expect(await s.appendEvent(other.id, { type: "inventory", total: 0, online: 0, offline: 0, at })).toBe(1);
    const event = (r: InstanceResult) => ({
      type: "instance" as const,
      instanceId: r.instanceId,
      verdict: r.verdict,
      status: "Success",
      at,
    });
    expect(await s.appendEvent(scan.id, event(a), { kind: "result", result: a, rawOutput: "raw-a" })).toBe(2);
    expect(await s.appendEvent(scan.id, event(b), { kind: "result", result: b, rawOutput: "" })).toBe(3);
    expect(await s.appendEvent(scan.id, { type: "warning", kind: "retry", message: "m", at })).toBe(4);
    expect((await s.eventsSince(scan.id, 1)).map((x) => x.event)).toEqual([
      event(a),
      event(b),
      { type: "warning", kind: "retry", message: "m", at },
    ]);
    expect(await s.getScan(scan.id)).toMatchObject({ total: 2, done: 2, counts: { "at-risk": 1, healthy: 1 } });
    expect(await s.getScan(other.id)).toMatchObject({ done: 0, counts: {} });
    expect(await s.scanResult(scan.id, a.instanceId)).toMatchObject({
      verdict: "at-risk",
      rawOutput: "raw-a",
      ecs,
      target: a.target,
    });
    expect(await s.latestResult(b.instanceId)).toMatchObject({ verdict: "healthy", scanId: scan.id, rawOutput: "" });
    expect((await s.latestResults({})).items.map((r) => [r.instanceId, r.group, r.registered])).toEqual([
      [a.instanceId, "web", false],
      [b.instanceId, undefined, undefined],
    ]);
  });

  it("stores several events at once, in order, each with its write, all or none", async () => {
    const s = await e.open(await e.fresh());
    const scan = await s.createScan({ targets: { kind: "all" } });
    const at = "2026-01-01T00:00:00.000Z";
    expect(await s.appendEvents(scan.id, [])).toEqual([]);
    expect(await s.appendEvent(scan.id, { type: "scan-started", scanId: scan.id, targets: scan.targets, at })).toBe(1);
    const ids = Array.from({ length: 40 }, (_, n) => `i-${n.toString(16).padStart(17, "0")}`);
    const items = ids.flatMap((id, n) => {
      const r = result(scan.id, id, n % 3 ? "healthy" : "at-risk");
      const event = { type: "instance" as const, instanceId: id, verdict: r.verdict, status: "Success", at };
      const warning = { type: "warning" as const, kind: "retry" as const, message: `m${n}`, at };
      return [{ event, write: { kind: "result" as const, result: r, rawOutput: `raw ${n}` } }, { event: warning }];
    });
    const withTotal = [
      {
        event: { type: "inventory" as const, total: 40, online: 40, offline: 0, at },
        write: { kind: "total" as const, total: 40 },
      },
      ...items,
    ];
    expect(await s.appendEvents(scan.id, withTotal)).toEqual(withTotal.map((_, n) => n + 2));
    expect((await s.eventsSince(scan.id, 1)).map((x) => x.event)).toEqual(withTotal.map((x) => x.event));
    expect(await s.getScan(scan.id)).toMatchObject({ total: 40, done: 40, counts: { "at-risk": 14, healthy: 26 } });
    expect((await s.scanResult(scan.id, ids[7]!))?.rawOutput).toBe("raw 7");
    // A write that fails (the same instance's result twice in one scan) stores none of the batch.
    const again = result(scan.id, ids[0]!, "healthy");
    const late = { type: "warning" as const, kind: "retry" as const, message: "late", at };
    await expect(
      s.appendEvents(scan.id, [
        { event: late },
        { event: late, write: { kind: "result", result: again, rawOutput: "" } },
      ]),
    ).rejects.toThrow();
    expect(await s.eventsSince(scan.id, 82)).toEqual([]);
    expect(await s.getScan(scan.id)).toMatchObject({ done: 40 });
  });

  it("keeps the latest result per instance, its history and filters", async () => {
    const s = await e.open(await e.fresh());
    const one = await s.createScan({ targets: { kind: "all" } });
    const two = await s.createScan({ targets: { kind: "all" } });
    const id1 = "i-0123456789abcdef0";
    const id2 = "i-0123456789abcdef1";
    const id3 = "i-0123456789abcdef2";
    await s.saveResult(result(one.id, id1, "lifecycle-404:blocked", { probedAt: "2026-01-01T00:00:00.000Z" }), "old");
    await s.saveResult(
      result(two.id, id1, "healthy", { probedAt: "2026-01-02T00:00:00.000Z", group: "web", agentVersion: "1.91.1" }),
      "new",
    );
    // An older result stored late does not replace a newer one.
    await s.saveResult(
      result(two.id, id2, "at-risk", { probedAt: "2026-01-02T00:00:00.000Z", group: "batch", agentVersion: "1.90.0" }),
      "r2",
    );
    await s.saveResult(result(one.id, id2, "healthy", { probedAt: "2026-01-01T00:00:00.000Z" }), "r2-old");
    await s.saveResult(
      result(two.id, id3, "ssm-unreachable", { probedAt: "2026-01-02T00:00:00.000Z", pingStatus: "ConnectionLost" }),
      "",
    );

    expect(await s.latestResult(id1)).toMatchObject({ verdict: "healthy", rawOutput: "new", scanId: two.id });
    expect((await s.latestResult(id2))?.verdict).toBe("at-risk");
    expect((await s.instanceHistory(id1)).map((r) => r.rawOutput)).toEqual(["new", "old"]);
    expect(await s.latestResult("i-00000000")).toBeUndefined();

    const all = await s.latestResults();
    expect(all.total).toBe(3);
    expect(all.items.map((i) => i.instanceId)).toEqual([id1, id2, id3]);
    expect(all.items[0]).toEqual({
      instanceId: id1,
      verdict: "healthy",
      summary: `${id1} is healthy`,
      group: "web",
      agentVersion: "1.91.1",
      pingStatus: "Online",
      probedAt: "2026-01-02T00:00:00.000Z",
      scanId: two.id,
      restartWillWork: false,
    });
    expect((await s.latestResults({ verdict: ["at-risk", "ssm-unreachable"] })).items.map((i) => i.instanceId)).toEqual(
      [id2, id3],
    );
    expect((await s.latestResults({ group: "batch" })).total).toBe(1);
    expect((await s.latestResults({ agentVersion: "1.91.1" })).items[0]?.instanceId).toBe(id1);
    expect((await s.latestResults({ q: "def2" })).items[0]?.instanceId).toBe(id3);
    expect((await s.latestResults({ q: "%" })).total).toBe(0);
    // Free text matches every visible column, as the table's does: version, ping, verdict and its label.
    expect((await s.latestResults({ q: "1.91.1" })).items.map((i) => i.instanceId)).toEqual([id1]);
    expect((await s.latestResults({ q: "connectionlost" })).items.map((i) => i.instanceId)).toEqual([id3]);
    expect((await s.latestResults({ q: "at-risk" })).items.map((i) => i.instanceId)).toEqual([id2]);
    expect(
      (await s.latestResults({ q: "Looks fine", verdictLabel: (v) => (v === "healthy" ? "Looks fine" : v) })).total,
    ).toBe(1);
    expect((await s.latestResults({ q: "'; DROP TABLE latest; --" })).total).toBe(0);
    expect(await s.latestResults({ limit: 1, offset: 1 })).toMatchObject({ total: 3, items: [{ instanceId: id2 }] });
    expect(await s.verdictCounts()).toMatchObject({ healthy: 1, "at-risk": 1, "ssm-unreachable": 1, unknown: 0 });
    const byKey = (rows: { key: string | null; verdict: Verdict; n: number }[]) =>
      Object.fromEntries(rows.map((r) => [`${r.key}/${r.verdict}`, r.n]));
    expect(byKey(await s.verdictsBy("group"))).toEqual({
      "web/healthy": 1,
      "batch/at-risk": 1,
      "null/ssm-unreachable": 1,
    });
    expect(byKey(await s.verdictsBy("agentVersion"))).toEqual({
      "1.91.1/healthy": 1,
      "1.90.0/at-risk": 1,
      "null/ssm-unreachable": 1,
    });
    expect((await s.scanResults(two.id)).map((r) => r.instanceId)).toEqual([id1, id2, id3]);
  });

  it("stores ECS's view with a result, filters on registration, and tells when an instance went InService", async () => {
    const s = await e.open(await e.fresh());
    const scan = await s.createScan({ targets: { kind: "all" } });
    const at = (m: number) => `2026-01-01T00:${String(m).padStart(2, "0")}:00.000Z`;
    const ecs = { registered: true, clustersSearched: 2, cluster: "web", agentConnected: false };
    await s.saveResult({ ...result(scan.id, "i-0000000000000000a", "healthy"), ecs }, "");
    await s.saveResult(
      { ...result(scan.id, "i-0000000000000000b", "unknown"), ecs: { registered: false, clustersSearched: 2 } },
      "",
    );
    await s.saveResult(result(scan.id, "i-0000000000000000c", "unknown"), "");
    expect((await s.scanResult(scan.id, "i-0000000000000000a"))?.ecs).toEqual(ecs);
    expect((await s.scanResult(scan.id, "i-0000000000000000c"))?.ecs).toBeUndefined();
    const ids = async (registered: "yes" | "no" | "not-asked") =>
      (await s.latestResults({ registered })).items.map((i) => [i.instanceId, i.registered]);
    expect(await ids("yes")).toEqual([["i-0000000000000000a", true]]);
    expect(await ids("no")).toEqual([["i-0000000000000000b", false]]);
    expect(await ids("not-asked")).toEqual([["i-0000000000000000c", undefined]]);

    // Saved many at once (PostgreSQL's batch statement), ECS's view and registration are kept the same way.
    const batch = await s.createScan({ targets: { kind: "all" } });
    await s.saveResults([
      { result: { ...result(batch.id, "i-0000000000000000e", "healthy"), ecs }, rawOutput: "" },
      {
        result: {
          ...result(batch.id, "i-0000000000000000f", "unknown"),
          ecs: { registered: false, clustersSearched: 1 },
        },
        rawOutput: "",
      },
    ]);
    expect((await s.latestResult("i-0000000000000000e"))?.ecs).toEqual(ecs);
    expect(await ids("yes")).toEqual([
      ["i-0000000000000000a", true],
      ["i-0000000000000000e", true],
    ]);
    expect(await ids("no")).toEqual([
      ["i-0000000000000000b", false],
      ["i-0000000000000000f", false],
    ]);
    expect((await s.verdictCounts({})).unknown).toBe(3);

    await s.recordEcsNote(scan.id, "ECS could not be read");
    expect((await s.getScan(scan.id))?.ecsNote).toBe("ECS could not be read");

    // Warmed, then InService at 02 and 03, then detached (no group) at 04, then InService again at 05 and 06.
    const d = "i-0000000000000000d";
    const states: [number, string | undefined][] = [
      [1, "Warmed:Running"],
      [2, "InService"],
      [3, "InService"],
      [4, undefined],
      [5, "InService"],
      [6, "InService"],
    ];
    expect(await s.lifecycleSeen(d)).toEqual({});
    for (const [m, state] of states.slice(1, 3)) {
      const sc = await s.createScan({ targets: { kind: "all" } });
      await s.saveResult(result(sc.id, d, "healthy", { probedAt: at(m), group: "web", lifecycleState: state }), "");
    }
    expect(await s.lifecycleSeen(d)).toEqual({ firstInService: at(2) });
    for (const [m, state] of [states[0]!, ...states.slice(3)]) {
      const sc = await s.createScan({ targets: { kind: "all" } });
      await s.saveResult(
        result(sc.id, d, "healthy", { probedAt: at(m), ...(state ? { group: "web", lifecycleState: state } : {}) }),
        "",
      );
    }
    expect(await s.lifecycleSeen(d)).toEqual({ firstInService: at(5), lastNotInService: at(4) });
  });

  it("gives the latest results a version that changes with every stored result", async () => {
    const s = await e.open(await e.fresh());
    const scan = await s.createScan({ targets: { kind: "all" } });
    const empty = await s.latestVersion();
    expect(await s.latestVersion()).toBe(empty);
    await s.saveResult(result(scan.id, "i-0123456789abcdef0", "healthy"), "");
    const one = await s.latestVersion();
    expect(one).not.toBe(empty);
    await s.finishScan(scan.id, "completed");
    expect(await s.latestVersion()).toBe(one);
    const next = await s.createScan({ targets: { kind: "all" } });
    await s.saveResult(result(next.id, "i-0123456789abcdef0", "at-risk"), "");
    expect(await s.latestVersion()).not.toBe(one);
  });

  it("writes a result and its counts together or not at all", async () => {
    const s = await e.open(await e.fresh());
    const scan = await s.createScan({ targets: { kind: "all" } });
    await s.saveResult(result(scan.id, "i-0123456789abcdef0", "healthy"), "");
    // The same instance twice in one scan violates the unique key: nothing of the second write may remain.
    await expect(s.saveResult(result(scan.id, "i-0123456789abcdef0", "unknown"), "")).rejects.toThrow();
    expect(await s.getScan(scan.id)).toMatchObject({ done: 1, counts: { healthy: 1 } });
    expect((await s.latestResult("i-0123456789abcdef0"))?.verdict).toBe("healthy");
  });

  it("handles 10,000 instances with an indexed latest list", async () => {
    const file = await e.fresh();
    const s = await e.open(file);
    const scan = await s.createScan({ targets: { kind: "all" } });
    const verdicts: Verdict[] = ["healthy", "lifecycle-404:ready", "at-risk", "waiting"];
    await s.saveResults(
      Array.from({ length: 10_000 }, (_, n) => ({
        result: result(scan.id, `i-${n.toString(16).padStart(17, "0")}`, verdicts[n % 4]!, { group: `g${n % 10}` }),
        rawOutput: "x",
      })),
    );
    expect(await s.latestResults({ verdict: ["at-risk"], limit: 5 })).toMatchObject({ total: 2500 });
    expect((await s.verdictCounts()).healthy).toBe(2500);
    expect(await s.getScan(scan.id)).toMatchObject({
      done: 10_000,
      counts: { healthy: 2500, "lifecycle-404:ready": 2500, "at-risk": 2500, waiting: 2500 },
    });
  });

  it("saves many results at once as it saves them one by one", async () => {
    const s = await e.open(await e.fresh());
    const one = await s.createScan({ targets: { kind: "all" } });
    const two = await s.createScan({ targets: { kind: "all" } });
    const id = "i-0123456789abcdef0";
    await s.saveResult(result(one.id, "i-0123456789abcdef9", "healthy"), "before");
    await s.saveResults([
      {
        result: result(two.id, id, "healthy", { probedAt: "2026-01-02T00:00:00.000Z", group: "web" }),
        rawOutput: "new",
      },
      // The same instance again, older, in the same call: kept in its history, not the latest.
      { result: result(one.id, id, "at-risk", { probedAt: "2026-01-01T00:00:00.000Z" }), rawOutput: "old" },
      { result: result(two.id, "i-0123456789abcdef1", "at-risk"), rawOutput: "" },
    ]);
    expect(await s.latestResult(id)).toMatchObject({ verdict: "healthy", rawOutput: "new", scanId: two.id });
    expect((await s.instanceHistory(id)).map((r) => r.rawOutput)).toEqual(["new", "old"]);
    expect(await s.getScan(one.id)).toMatchObject({ done: 2, counts: { healthy: 1, "at-risk": 1 } });
    expect(await s.getScan(two.id)).toMatchObject({ done: 2, counts: { healthy: 1, "at-risk": 1 } });
    const many = await s.createScan({ targets: { kind: "all" } });
    await s.saveResults(
      Array.from({ length: 2500 }, (_, n) => ({
        result: result(many.id, `i-${n.toString(16).padStart(17, "0")}`, n % 2 ? "healthy" : "at-risk", {
          group: `g${n % 3}`,
          agentVersion: n % 5 ? "1.91.1" : undefined,
        }),
        rawOutput: `raw-${n}`,
      })),
    );
    expect(await s.getScan(many.id)).toMatchObject({ done: 2500, counts: { healthy: 1250, "at-risk": 1250 } });
    expect(await s.latestResult(`i-${(7).toString(16).padStart(17, "0")}`)).toMatchObject({
      verdict: "healthy",
      rawOutput: "raw-7",
      target: { group: "g1" },
      agentVersion: "1.91.1",
    });
    expect((await s.latestResults({ group: "g0", limit: 1 })).total).toBe(834);
    // A batch that fails (an instance this scan already stored) leaves nothing of itself.
    await expect(
      s.saveResults([
        { result: result(many.id, "i-0bbbbbbbbbbbbbbbb", "healthy"), rawOutput: "" },
        { result: result(many.id, `i-${(7).toString(16).padStart(17, "0")}`, "healthy"), rawOutput: "" },
      ]),
    ).rejects.toThrow();
    expect(await s.latestResult("i-0bbbbbbbbbbbbbbbb")).toBeUndefined();
    expect((await s.getScan(many.id))?.done).toBe(2500);
  });

  it("marks a scan whose owner stopped renewing its lease interrupted, keeping its results", async () => {
    const file = await e.fresh();
    // `dead` stands for a process that was killed: it holds a 1 s lease and never renews it again.
    const dead = await e.open(file, { leaseTtlSeconds: 1 });
    const live = await e.open(file);
    const mine = await live.createScan({ targets: { kind: "all" } });
    const orphan = await dead.createScan({ targets: { kind: "group", name: "web" } });
    await dead.saveResult(result(orphan.id, "i-0123456789abcdef0", "healthy"), "kept");
    await dead.close();
    // Until the lease runs out, the scan is someone's: not interrupted, and it still blocks the same targets.
    expect((await live.getScan(orphan.id))?.status).toBe("running");
    expect((await live.runningScanFor({ kind: "group", name: "web" }))?.id).toBe(orphan.id);
    await sleep(1100);

    const reopened = await e.open(file);
    expect(await reopened.getScan(orphan.id)).toMatchObject({ status: "interrupted", done: 1, counts: { healthy: 1 } });
    expect((await reopened.getScan(mine.id))?.status).toBe("running");
    const last = (await reopened.eventsSince(orphan.id, 0)).at(-1)?.event;
    expect(last).toMatchObject({ type: "scan-finished", status: "interrupted" });
    expect((await reopened.latestResult("i-0123456789abcdef0"))?.rawOutput).toBe("kept");
    expect((await reopened.runningScanFor({ kind: "all" }))?.id).toBe(mine.id);
    expect(await reopened.runningScanFor({ kind: "group", name: "web" })).toBeUndefined();
    // Cancelling it now is too late: nobody runs it.
    expect(await reopened.requestScanCancel(orphan.id)).toBe(false);
  });

  it("finds an abandoned scan without being reopened: a reader or the heartbeat ends it", async () => {
    const file = await e.fresh();
    const dead = await e.open(file, { leaseTtlSeconds: 1 });
    const watcher = await e.open(file, { leaseTtlSeconds: 1 });
    const scan = await dead.createScan({ targets: { kind: "all" } });
    await dead.close();
    const woken = new Promise<void>((resolve) => watcher.onScanEvent(scan.id, resolve));
    // Nobody reads: the watcher's heartbeat (every third of its TTL) marks it and wakes its listeners.
    await woken;
    expect((await watcher.getScan(scan.id))?.status).toBe("interrupted");
    expect((await watcher.eventsSince(scan.id, 0)).at(-1)?.event).toMatchObject({ status: "interrupted" });
  });

  it("starts at most one scan per fleet across processes: of two started at once, one runs, the other is refused", async () => {
    const where = await e.fresh();
    // Two replicas (two pools, or two SQLite connections) on one database.
    const a = await e.open(where);
    const b = await e.open(where);
    const fleet = "123456789012/eu-west-1";
    for (let round = 0; round < 5; round++) {
      const tries = await Promise.allSettled([
        a.createScan({ targets: { kind: "all" }, fleet }),
        b.createScan({ targets: { kind: "group", name: "web" }, fleet }),
      ]);
      const started = tries.filter((t) => t.status === "fulfilled").map((t) => t.value);
      const refused = tries.filter((t) => t.status === "rejected").map((t) => t.reason);
      expect(started).toHaveLength(1);
      expect(refused).toHaveLength(1);
      const running = started[0]!;
      expect(refused[0]).toMatchObject({ code: "CONFLICT", details: { scanId: running.id, fleet } });
      expect(String(refused[0].message)).toContain(running.id);
      expect((await e.sql(where, `SELECT count(*) AS n FROM scans WHERE status = 'running'`))[0]).toMatchObject({
        n: e.name === "SQLite" ? 1 : "1",
      });
      // Another fleet, and a scan started without one, are not held up.
      const other = await b.createScan({ targets: { kind: "all" }, fleet: "123456789012/us-east-1" });
      const unnamed = await b.createScan({ targets: { kind: "all" } });
      for (const id of [other.id, unnamed.id]) await b.finishScan(id, "completed");
      await (round % 2 ? a : b).finishScan(running.id, "completed");
    }
    // A scan whose owner died holds its fleet until its lease runs out; then a new one starts and it is interrupted.
    const dead = await e.open(where, { leaseTtlSeconds: 1 });
    const orphan = await dead.createScan({ targets: { kind: "all" }, fleet });
    await dead.close();
    await expect(a.createScan({ targets: { kind: "all" }, fleet })).rejects.toMatchObject({
      details: { scanId: orphan.id },
    });
    await sleep(1300);
    const next = await a.createScan({ targets: { kind: "all" }, fleet });
    expect(next.status).toBe("running");
    expect((await a.getScan(orphan.id))?.status).toBe("interrupted");
  });

  it("carries a cancel to the scan's owner in another process, through the lease", async () => {
    const file = await e.fresh();
    const owner = await e.open(file, { leaseTtlSeconds: 3 });
    const other = await e.open(file);
    const scan = await owner.createScan({ targets: { kind: "all" } });
    const signal = owner.scanCancelSignal(scan.id);
    expect(await other.requestScanCancel(scan.id)).toBe(true);
    expect(signal.aborted).toBe(false);
    // The owner's heartbeat hears it.
    await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
    expect(String(signal.reason)).toContain("cancelled");
    // In the owner's own process a cancel aborts at once.
    const here = await owner.createScan({ targets: { kind: "group", name: "web" } });
    const hereSignal = owner.scanCancelSignal(here.id);
    expect(await owner.requestScanCancel(here.id)).toBe(true);
    expect(hereSignal.aborted).toBe(true);
    // A finished scan releases its lease: nothing to cancel.
    await owner.finishScan(scan.id, "cancelled");
    expect(await other.requestScanCancel(scan.id)).toBe(false);
  });

  it("lets another process take an action over only once its owner's lease has run out", async () => {
    const file = await e.fresh();
    const dead = await e.open(file, { leaseTtlSeconds: 1 });
    const live = await e.open(file, { leaseTtlSeconds: 1 });
    const id = crypto.randomUUID();
    const instanceId = "i-0123456789abcdef0";
    const preflight = { instanceId, ok: true };
    await dead.actions.createAction(
      {
        id,
        kind: "restart",
        actor: "t",
        actorRole: "operator",
        forced: false,
        createdAt: new Date().toISOString(),
        requested: [instanceId],
        maxConcurrency: 1,
        maxErrors: 1,
        waitSeconds: 10,
      },
      () => [{ instanceId, decision: "accepted", preflight }],
      () => ({ type: "resumed", pid: 0, at: new Date().toISOString() }),
    );
    // Its owner's lease is alive: nobody else may drive it, nor may the owner take it over twice.
    expect(await live.actions.takeOver(id)).toBe(false);
    expect(await dead.actions.takeOver(id)).toBe(false);
    await dead.close();
    await sleep(1100);
    const [a, b] = await Promise.all([live.actions.takeOver(id), (await e.open(file)).actions.takeOver(id)]);
    expect([a, b].sort()).toEqual([false, true]);
    await live.actions.finishAction(id, "interrupted");
    expect(await live.actions.get(id)).toMatchObject({ status: "interrupted" });
    expect(await live.actions.inflightAction(instanceId)).toBeUndefined();
    expect(await live.actions.takeOver(id)).toBe(false);
  });

  it("wakes listeners in this process when an event is stored", async () => {
    const s = await e.open(await e.fresh());
    const scan = await s.createScan({ targets: { kind: "all" } });
    let woken = 0;
    const stop = s.onScanEvent(scan.id, () => woken++);
    await s.appendEvent(scan.id, { type: "scan-started", scanId: scan.id, targets: { kind: "all" }, at: "t" });
    stop();
    await s.appendEvent(scan.id, { type: "inventory", total: 0, online: 0, offline: 0, at: "t" });
    expect(woken).toBe(1);
    expect(await s.getScanProgress(scan.id)).toMatchObject({ scan: { id: scan.id }, lastSeq: 2 });
  });

  it("stores the probe output once: not in the outcome beside the raw output", async () => {
    const file = await e.fresh();
    const s = await e.open(file);
    const scan = await s.createScan({ targets: { kind: "all" } });
    const r = result(scan.id, "i-0123456789abcdef0", "healthy");
    r.outcome.output = "the probe's report";
    await s.saveResult(r, "the probe's report");
    const [row] = (await e.sql(file, "SELECT outcome, raw_output FROM results")) as {
      outcome: string;
      raw_output: string;
    }[];
    expect(row?.raw_output).toBe("the probe's report");
    expect(row?.outcome).not.toContain("the probe's report");
    expect((await s.scanResult(scan.id, r.instanceId))?.outcome.output).toBe("the probe's report");
  });

  it("keeps the audit append-only: no UPDATE or DELETE of an action's rows, even outside the store", async () => {
    const file = await e.fresh();
    const s = await e.open(file);
    const id = crypto.randomUUID();
    const instanceId = "i-0123456789abcdef0";
    await s.actions.createAction(
      {
        id,
        kind: "restart",
        actor: "alice",
        actorRole: "operator",
        forced: false,
        createdAt: new Date().toISOString(),
        requested: [instanceId],
        maxConcurrency: 1,
        maxErrors: 1,
        waitSeconds: 10,
      },
      () => [{ instanceId, decision: "accepted", preflight: { instanceId, ok: true } }],
      () => ({ type: "resumed", pid: 0, at: new Date().toISOString() }),
    );
    await s.actions.finishAction(id, "completed");
    for (const statement of [
      `UPDATE actions SET actor = 'mallory'`,
      `DELETE FROM actions`,
      `UPDATE action_events SET data = '{}'`,
      `DELETE FROM action_events`,
      `DELETE FROM action_targets`,
      `DELETE FROM action_runs`,
    ]) {
      await expect(e.sql(file, statement), statement).rejects.toThrow(/append-only/);
    }
    expect(await s.actions.get(id)).toMatchObject({ actor: "alice", status: "completed" });
    // The claim is not audit: an outcome or the end of the action frees it.
    expect(await e.sql(file, "SELECT * FROM action_inflight")).toEqual([]);
  });
});

describe("store on PostgreSQL: migrations and the audit", () => {
  it("records its migrations once, in order", async () => {
    const url = await postgres.fresh();
    await postgres.open(url);
    await postgres.open(url);
    const rows = await postgres.sql(url, "SELECT id, applied_at FROM schema_migrations");
    // Each once; in order: applied_at never goes back along MIGRATIONS (quick steps may share a millisecond, so
    // ordering by applied_at alone could not tell them apart).
    expect(rows.map((r) => r.id).sort()).toEqual(MIGRATIONS.map((m) => m.id).sort());
    const at = new Map(rows.map((r) => [r.id as string, String(r.applied_at)]));
    const times = MIGRATIONS.map((m) => at.get(m.id)!);
    expect(times).toEqual([...times].sort());
  });

  it("migrates once when two replicas start together on a fresh database", async () => {
    const url = await postgres.fresh();
    const pools = [new pg.Pool({ connectionString: url }), new pg.Pool({ connectionString: url })];
    try {
      const applied = await Promise.all(pools.map((p) => migratePg(p)));
      // One of them ran every step (under the advisory lock); the other then found them all recorded.
      expect(applied.map((a) => a.length).sort()).toEqual([0, MIGRATIONS.length]);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
    expect(await postgres.sql(url, "SELECT count(*)::int AS n FROM schema_migrations")).toEqual([
      { n: MIGRATIONS.length },
    ]);
    // And two stores opening at once on another fresh database both come up on one schema.
    const other = await postgres.fresh();
    const [a, b] = await Promise.all([postgres.open(other), postgres.open(other)]);
    const scan = await a.createScan({ targets: { kind: "all" } });
    expect((await b.getScan(scan.id))?.status).toBe("running");
  });

  it("applies appended migrations in order, once, and rolls back a failing one", async () => {
    const url = await postgres.fresh();
    const pool = new pg.Pool({ connectionString: url });
    try {
      const steps = [
        { id: "a", pg: "CREATE TABLE t (x int)" },
        { id: "b", pg: "CREATE TABLE u (x int); INSERT INTO u VALUES (1)" },
      ];
      expect(await migratePg(pool, steps)).toEqual(["a", "b"]);
      expect(await migratePg(pool, steps)).toEqual([]);
      const failing = [...steps, { id: "c", pg: "CREATE TABLE v (x int); SELECT 1 / 0" }];
      await expect(migratePg(pool, failing)).rejects.toThrow("division by zero");
      expect((await pool.query("SELECT to_regclass('v') AS v")).rows).toEqual([{ v: null }]);
      expect((await pool.query("SELECT id FROM schema_migrations ORDER BY id")).rows).toEqual([
        { id: "a" },
        { id: "b" },
      ]);
      // The lock was given back: a later start is not stuck behind the failed one.
      expect(await migratePg(pool, steps)).toEqual([]);
    } finally {
      await pool.end();
    }
  });

  it("measures leases on the database's clock, whatever a replica's own clock says", async () => {
    const url = await postgres.fresh();
    const a = await postgres.open(url, { leaseTtlSeconds: 5 });
    // This replica's clock runs an hour ahead: a lease judged by it would look long dead (or never expire).
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 3_600_000 });
    try {
      const b = await postgres.open(url, { leaseTtlSeconds: 5 });
      const scan = await b.createScan({ targets: { kind: "all" } });
      const [lease] = await postgres.sql(
        url,
        "SELECT expires_at - (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS ms_left FROM leases",
      );
      expect(Number(lease?.ms_left)).toBeGreaterThan(4000);
      expect(Number(lease?.ms_left)).toBeLessThanOrEqual(5000);
      vi.useRealTimers();
      expect((await a.getScan(scan.id))?.status).toBe("running");
      expect((await a.runningScanFor({ kind: "all" }))?.id).toBe(scan.id);
    } finally {
      vi.useRealTimers();
    }
  });

  it("rejects TRUNCATE of the audit tables too (it fires no row trigger)", async () => {
    const url = await postgres.fresh();
    await postgres.open(url);
    await expect(postgres.sql(url, "TRUNCATE action_events")).rejects.toThrow(/append-only/);
    await expect(postgres.sql(url, "TRUNCATE actions CASCADE")).rejects.toThrow(/append-only/);
  });

  it("plans the latest list on its index at 10,000 instances", async () => {
    const url = await postgres.fresh();
    const s = await postgres.open(url);
    const scan = await s.createScan({ targets: { kind: "all" } });
    // One in a hundred: the verdict a person filters on (PostgreSQL rightly walks the primary key for a common one).
    await s.saveResults(
      Array.from({ length: 10_000 }, (_, n) => ({
        result: result(scan.id, `i-${n.toString(16).padStart(17, "0")}`, n % 100 ? "healthy" : "at-risk"),
        rawOutput: "x",
      })),
    );
    await postgres.sql(url, "ANALYZE latest");
    const plan = await postgres.sql(
      url,
      "EXPLAIN SELECT instance_id FROM latest WHERE verdict IN ('at-risk') ORDER BY instance_id LIMIT 5",
    );
    expect(plan.map((p) => p["QUERY PLAN"]).join(" ")).toContain("latest_verdict");
  });
});
