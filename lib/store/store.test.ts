import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import type { Verdict } from "../diagnosis/types.ts";
import type { InstanceResult } from "../scan/types.ts";
import { migrate } from "./migrate.ts";
import { MIGRATIONS } from "./migrations/index.ts";
import { openStore, type Store } from "./store.ts";

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempFile(): string {
  const d = mkdtempSync(path.join(tmpdir(), "fd-store-"));
  dirs.push(d);
  return path.join(d, "nested", "fleet.db");
}

function open(file = ":memory:"): Store {
  const s = openStore(file);
  stores.push(s);
  return s;
}

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

describe("store", () => {
  it("creates the folder, uses WAL and records its migrations once", () => {
    const file = tempFile();
    const s = open(file);
    expect(s.db.pragma("journal_mode", { simple: true })).toBe("wal");
    const ids = (s.db.prepare("SELECT id FROM schema_migrations").all() as { id: string }[]).map((r) => r.id);
    expect(ids).toEqual(MIGRATIONS.map((m) => m.id));
    expect(ids[0]).toBe("001-scans");
    s.close();
    const again = open(file);
    expect(again.db.prepare("SELECT count(*) AS n FROM schema_migrations").get()).toEqual({ n: MIGRATIONS.length });
  });

  it("applies appended migrations in order, once, and rolls back a failing one", () => {
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

  it("creates, lists, events and finishes a scan", () => {
    const s = open();
    const a = s.createScan({ targets: { kind: "all" }, actor: "alice" });
    const b = s.createScan({ targets: { kind: "group", name: "web" } });
    expect(a).toMatchObject({ status: "running", targets: { kind: "all" }, actor: "alice", done: 0, counts: {} });
    expect(s.listScans().map((r) => r.id)).toEqual([b.id, a.id]);
    expect(s.listScans({ before: b.id }).map((r) => r.id)).toEqual([a.id]);
    expect(s.listScans({ limit: 1 }).map((r) => r.id)).toEqual([b.id]);

    const at = new Date().toISOString();
    expect(s.appendEvent(a.id, { type: "scan-started", scanId: a.id, targets: { kind: "all" }, at })).toBe(1);
    expect(s.appendEvent(a.id, { type: "inventory", total: 2, online: 2, offline: 0, at })).toBe(2);
    expect(s.appendEvent(b.id, { type: "inventory", total: 0, online: 0, offline: 0, at })).toBe(1);
    expect(s.eventsSince(a.id, 1)).toEqual([
      { seq: 2, event: { type: "inventory", total: 2, online: 2, offline: 0, at } },
    ]);

    s.setTotal(a.id, 2);
    s.saveResult(result(a.id, "i-0123456789abcdef0", "healthy"), "raw-1");
    s.saveResult(result(a.id, "i-0123456789abcdef1", "lifecycle-404:ready"), "raw-2");
    expect(s.getScan(a.id)).toMatchObject({ total: 2, done: 2, counts: { healthy: 1, "lifecycle-404:ready": 1 } });
    s.finishScan(a.id, "completed");
    expect(s.getScan(a.id)).toMatchObject({ status: "completed", counts: { healthy: 1, "lifecycle-404:ready": 1 } });
    expect(s.getScan(a.id)?.finishedAt).toBeDefined();
    // A finished scan is not finished again (a late cancel cannot overwrite completed).
    s.finishScan(a.id, "cancelled");
    expect(s.getScan(a.id)?.status).toBe("completed");
    expect(s.getScan("nope")).toBeUndefined();
  });

  it("keeps the latest result per instance, its history and filters", () => {
    const s = open();
    const one = s.createScan({ targets: { kind: "all" } });
    const two = s.createScan({ targets: { kind: "all" } });
    const id1 = "i-0123456789abcdef0";
    const id2 = "i-0123456789abcdef1";
    const id3 = "i-0123456789abcdef2";
    s.saveResult(result(one.id, id1, "lifecycle-404:blocked", { probedAt: "2026-01-01T00:00:00.000Z" }), "old");
    s.saveResult(
      result(two.id, id1, "healthy", { probedAt: "2026-01-02T00:00:00.000Z", group: "web", agentVersion: "1.91.1" }),
      "new",
    );
    // An older result stored late does not replace a newer one.
    s.saveResult(
      result(two.id, id2, "at-risk", { probedAt: "2026-01-02T00:00:00.000Z", group: "batch", agentVersion: "1.90.0" }),
      "r2",
    );
    s.saveResult(result(one.id, id2, "healthy", { probedAt: "2026-01-01T00:00:00.000Z" }), "r2-old");
    s.saveResult(
      result(two.id, id3, "ssm-unreachable", { probedAt: "2026-01-02T00:00:00.000Z", pingStatus: "ConnectionLost" }),
      "",
    );

    expect(s.latestResult(id1)).toMatchObject({ verdict: "healthy", rawOutput: "new", scanId: two.id });
    expect(s.latestResult(id2)?.verdict).toBe("at-risk");
    expect(s.instanceHistory(id1).map((r) => r.rawOutput)).toEqual(["new", "old"]);
    expect(s.latestResult("i-00000000")).toBeUndefined();

    const all = s.latestResults();
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
    expect(s.latestResults({ verdict: ["at-risk", "ssm-unreachable"] }).items.map((i) => i.instanceId)).toEqual([
      id2,
      id3,
    ]);
    expect(s.latestResults({ group: "batch" }).total).toBe(1);
    expect(s.latestResults({ agentVersion: "1.91.1" }).items[0]?.instanceId).toBe(id1);
    expect(s.latestResults({ q: "def2" }).items[0]?.instanceId).toBe(id3);
    expect(s.latestResults({ q: "%" }).total).toBe(0);
    // Free text matches every visible column, as the table's does: version, ping, verdict and its label.
    expect(s.latestResults({ q: "1.91.1" }).items.map((i) => i.instanceId)).toEqual([id1]);
    expect(s.latestResults({ q: "connectionlost" }).items.map((i) => i.instanceId)).toEqual([id3]);
    expect(s.latestResults({ q: "at-risk" }).items.map((i) => i.instanceId)).toEqual([id2]);
    expect(s.latestResults({ q: "Looks fine", verdictLabel: (v) => (v === "healthy" ? "Looks fine" : v) }).total).toBe(
      1,
    );
    expect(s.latestResults({ q: "'; DROP TABLE latest; --" }).total).toBe(0);
    expect(s.latestResults({ limit: 1, offset: 1 })).toMatchObject({ total: 3, items: [{ instanceId: id2 }] });
    expect(s.verdictCounts()).toMatchObject({ healthy: 1, "at-risk": 1, "ssm-unreachable": 1, unknown: 0 });
    const byKey = (rows: { key: string | null; verdict: Verdict; n: number }[]) =>
      Object.fromEntries(rows.map((r) => [`${r.key}/${r.verdict}`, r.n]));
    expect(byKey(s.verdictsBy("group"))).toEqual({ "web/healthy": 1, "batch/at-risk": 1, "null/ssm-unreachable": 1 });
    expect(byKey(s.verdictsBy("agentVersion"))).toEqual({
      "1.91.1/healthy": 1,
      "1.90.0/at-risk": 1,
      "null/ssm-unreachable": 1,
    });
    expect(s.scanResults(two.id).map((r) => r.instanceId)).toEqual([id1, id2, id3]);
  });

  it("gives the latest results a version that changes with every stored result", () => {
    const s = open();
    const scan = s.createScan({ targets: { kind: "all" } });
    const empty = s.latestVersion();
    expect(s.latestVersion()).toBe(empty);
    s.saveResult(result(scan.id, "i-0123456789abcdef0", "healthy"), "");
    const one = s.latestVersion();
    expect(one).not.toBe(empty);
    s.finishScan(scan.id, "completed");
    expect(s.latestVersion()).toBe(one);
    const next = s.createScan({ targets: { kind: "all" } });
    s.saveResult(result(next.id, "i-0123456789abcdef0", "at-risk"), "");
    expect(s.latestVersion()).not.toBe(one);
  });

  it("writes a result and its counts together or not at all", () => {
    const s = open();
    const scan = s.createScan({ targets: { kind: "all" } });
    s.saveResult(result(scan.id, "i-0123456789abcdef0", "healthy"), "");
    // The same instance twice in one scan violates the unique key: nothing of the second write may remain.
    expect(() => s.saveResult(result(scan.id, "i-0123456789abcdef0", "unknown"), "")).toThrow();
    expect(s.getScan(scan.id)).toMatchObject({ done: 1, counts: { healthy: 1 } });
    expect(s.latestResult("i-0123456789abcdef0")?.verdict).toBe("healthy");
  });

  it("handles 10,000 instances with an indexed latest list", () => {
    const s = open();
    const scan = s.createScan({ targets: { kind: "all" } });
    const verdicts: Verdict[] = ["healthy", "lifecycle-404:ready", "at-risk", "waiting"];
    s.transaction(() => {
      for (let n = 0; n < 10_000; n++) {
        const id = `i-${n.toString(16).padStart(17, "0")}`;
        s.saveResult(result(scan.id, id, verdicts[n % 4]!, { group: `g${n % 10}` }), "x");
      }
    });
    expect(s.latestResults({ verdict: ["at-risk"], limit: 5 })).toMatchObject({ total: 2500 });
    expect(s.verdictCounts().healthy).toBe(2500);
    const plan = s.db
      .prepare("EXPLAIN QUERY PLAN SELECT instance_id FROM latest WHERE verdict IN (?) ORDER BY instance_id LIMIT 5")
      .all("at-risk") as { detail: string }[];
    expect(plan.map((p) => p.detail).join(" ")).toContain("latest_verdict");
  });

  it("marks a scan left running by a dead process interrupted, keeping its results", () => {
    const file = tempFile();
    const s = open(file);
    const mine = s.createScan({ targets: { kind: "all" } });
    const orphan = s.createScan({ targets: { kind: "group", name: "web" } });
    s.saveResult(result(orphan.id, "i-0123456789abcdef0", "healthy"), "kept");
    // A pid that surely does not exist any more: a child that has exited.
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid;
    s.db.prepare("UPDATE scans SET owner_pid = ? WHERE id = ?").run(dead, orphan.id);
    s.close();

    const reopened = open(file);
    expect(reopened.getScan(orphan.id)).toMatchObject({ status: "interrupted", done: 1, counts: { healthy: 1 } });
    expect(reopened.getScan(mine.id)?.status).toBe("running");
    const last = reopened.eventsSince(orphan.id, 0).at(-1)?.event;
    expect(last).toMatchObject({ type: "scan-finished", status: "interrupted" });
    expect(reopened.latestResult("i-0123456789abcdef0")?.rawOutput).toBe("kept");
    expect(reopened.runningScanFor({ kind: "all" })?.id).toBe(mine.id);
    expect(reopened.runningScanFor({ kind: "group", name: "web" })).toBeUndefined();
  });
});
