import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { storeEngines } from "../../test/helpers/store-engines.ts";
import type { Verdict } from "../diagnosis/types.ts";
import type { InstanceResult } from "../scan/types.ts";
import { migrate } from "./migrate.ts";
import { MIGRATIONS } from "./migrations/index.ts";
import { migratePg, openPool } from "./pg.ts";

// Issue 19: an instance id is only unique inside one fleet (account, region). Two accounts' instances of one id are
// two instances: two latest rows, two histories, gone apart, each fleet's listing and counts its own.
const engines = storeEngines();

const A = "111111111111/us-east-1";
const B = "222222222222/us-east-1";
const C = "111111111111/eu-west-1";
const SAME = "i-0a1b2c3d4e5f60718";
const OTHER = "i-0000000000000000a";

function result(
  scanId: string,
  instanceId: string,
  verdict: Verdict,
  extra: { probedAt?: string; group?: string; lifecycleState?: string } = {},
): InstanceResult {
  const { probedAt, ...target } = extra;
  return {
    scanId,
    instanceId,
    target: { instanceId, pingStatus: "Online", ...target },
    outcome: { status: "Success", output: "{}", truncated: false, responseCode: 0 },
    diagnosis: { verdict, summary: `${instanceId} is ${verdict}`, evidence: [], remedies: [], restartWillWork: false },
    verdict,
    probedAt: probedAt ?? new Date().toISOString(),
  };
}

const at = (m: number) => `2026-01-01T00:${String(m).padStart(2, "0")}:00.000Z`;

describe.each(engines)("fleet keys on $name", (e) => {
  it("keeps one instance id of two fleets apart: latest, listings, counts, history, lifecycle", async () => {
    const s = await e.open(await e.fresh());
    const a = await s.createScan({ targets: { kind: "all" }, fleet: A });
    const b = await s.createScan({ targets: { kind: "all" }, fleet: B });
    // One result per path: saveResult (A), an event's write (B: PostgreSQL's function), and a batch (C).
    await s.saveResult(
      result(a.id, SAME, "healthy", { probedAt: at(1), group: "web", lifecycleState: "InService" }),
      "a",
    );
    await s.appendEvent(
      b.id,
      { type: "instance", instanceId: SAME, verdict: "agent-failed", status: "Success", at: at(2) } as never,
      {
        kind: "result",
        result: result(b.id, SAME, "agent-failed", { probedAt: at(2), group: "batch", lifecycleState: "Pending" }),
        rawOutput: "b",
      },
    );
    await s.saveResult(result(a.id, OTHER, "at-risk", { probedAt: at(1) }), "");
    const c = await s.createScan({ targets: { kind: "all" }, fleet: C });
    await s.saveResults([{ result: result(c.id, OTHER, "healthy", { probedAt: at(3) }), rawOutput: "" }]);

    // The store filled each result's fleet from its scan's row.
    const all = await s.latestResults();
    expect(all.total).toBe(4);
    expect(all.items.map((i) => [i.instanceId, i.fleet, i.verdict])).toEqual([
      [OTHER, C, "healthy"],
      [OTHER, A, "at-risk"],
      [SAME, A, "healthy"],
      [SAME, B, "agent-failed"],
    ]);
    const ofFleet = async (f: Parameters<typeof s.latestResults>[0]) =>
      (await s.latestResults(f)).items.map((i) => `${i.fleet}:${i.instanceId}:${i.verdict}`);
    expect(await ofFleet({ fleet: A })).toEqual([`${A}:${OTHER}:at-risk`, `${A}:${SAME}:healthy`]);
    expect(await ofFleet({ fleet: B })).toEqual([`${B}:${SAME}:agent-failed`]);
    expect(await ofFleet({ fleets: [B, C] })).toEqual([`${C}:${OTHER}:healthy`, `${B}:${SAME}:agent-failed`]);
    expect(await ofFleet({ account: "111111111111" })).toEqual([
      `${C}:${OTHER}:healthy`,
      `${A}:${OTHER}:at-risk`,
      `${A}:${SAME}:healthy`,
    ]);
    expect(await ofFleet({ region: "us-east-1" })).toEqual([
      `${A}:${OTHER}:at-risk`,
      `${A}:${SAME}:healthy`,
      `${B}:${SAME}:agent-failed`,
    ]);
    expect(await ofFleet({ account: "111111111111", region: "eu-west-1" })).toEqual([`${C}:${OTHER}:healthy`]);
    expect(await ofFleet({ account: "11111111111" })).toEqual([]);
    expect(await ofFleet({ region: "east-1" })).toEqual([]);
    expect(await ofFleet({ fleet: A, verdict: ["healthy"] })).toEqual([`${A}:${SAME}:healthy`]);

    expect(await s.verdictCounts({ fleet: A })).toMatchObject({ healthy: 1, "at-risk": 1, "agent-failed": 0 });
    expect(await s.verdictCounts({ fleet: B })).toMatchObject({ healthy: 0, "agent-failed": 1 });
    expect(await s.verdictCounts({ account: "111111111111" })).toMatchObject({ healthy: 2, "at-risk": 1 });
    expect(await s.verdictCounts({ fleets: [B], region: "us-east-1" })).toMatchObject({
      healthy: 0,
      "agent-failed": 1,
    });
    expect(await s.verdictCounts()).toMatchObject({ healthy: 2, "at-risk": 1, "agent-failed": 1 });
    expect(await s.verdictsBy("group", { fleet: B })).toEqual([{ key: "batch", verdict: "agent-failed", n: 1 }]);
    expect(await s.verdictsBy("group", { region: "eu-west-1" })).toEqual([{ key: null, verdict: "healthy", n: 1 }]);

    expect(await s.instanceFleets(SAME)).toEqual([B, A]);
    expect(await s.instanceFleets(OTHER)).toEqual([C, A]);
    expect(await s.instanceFleets("i-00000000000000000")).toEqual([]);
    expect(await s.latestResult(SAME, A)).toMatchObject({ verdict: "healthy", rawOutput: "a", fleet: A });
    expect(await s.latestResult(SAME, B)).toMatchObject({ verdict: "agent-failed", rawOutput: "b", fleet: B });
    expect(await s.latestResult(SAME, C)).toBeUndefined();
    // Without a fleet: the newest across fleets.
    expect(await s.latestResult(SAME)).toMatchObject({ fleet: B });
    expect(await s.instanceFleet(SAME)).toBe(B);

    await s.finishScan(a.id, "completed");
    const a2 = await s.createScan({ targets: { kind: "all" }, fleet: A });
    await s.saveResult(result(a2.id, SAME, "at-risk", { probedAt: at(4), lifecycleState: "InService" }), "a2");
    expect((await s.instanceHistory(SAME, 50, A)).map((r) => r.rawOutput)).toEqual(["a2", "a"]);
    expect((await s.instanceHistory(SAME, 50, B)).map((r) => r.rawOutput)).toEqual(["b"]);
    expect((await s.instanceHistory(SAME)).map((r) => r.rawOutput)).toEqual(["a2", "a"]);
    expect((await s.scanResults(b.id)).map((r) => [r.instanceId, r.fleet])).toEqual([[SAME, B]]);
    expect(await s.lifecycleSeen(SAME, A)).toEqual({ firstInService: at(1) });
    expect(await s.lifecycleSeen(SAME, B)).toEqual({ lastNotInService: at(2) });
    expect(await s.lifecycleSeen(SAME)).toEqual({ firstInService: at(1) });
    expect((await s.fleetsInStore()).map((f) => [f.fleet, f.instances])).toEqual(
      [
        [A, 2],
        [C, 1],
        [B, 1],
      ].sort((x, y) => (x[0]! < y[0]! ? -1 : 1)),
    );
  });

  it("marks gone per fleet: a full scan of one fleet leaves another fleet's instance of the same id alone", async () => {
    const s = await e.open(await e.fresh());
    const a = await s.createScan({ targets: { kind: "all" }, fleet: A });
    const b = await s.createScan({ targets: { kind: "all" }, fleet: B });
    await s.saveResult(result(a.id, SAME, "healthy", { probedAt: at(1) }), "");
    await s.saveResult(result(a.id, OTHER, "healthy", { probedAt: at(1) }), "");
    await s.saveResult(result(b.id, SAME, "healthy", { probedAt: at(2) }), "");
    await s.finishScan(a.id, "completed");
    await s.finishScan(b.id, "completed");
    // A's next full scan sees OTHER only: SAME is gone from A, not from B.
    await new Promise((r) => setTimeout(r, 5));
    const a2 = await s.createScan({ targets: { kind: "all" }, fleet: A });
    await s.saveResult(result(a2.id, OTHER, "healthy"), "");
    expect(await s.markGone(a2.id)).toBe(1);
    expect(await s.goneOf(SAME, A)).toMatchObject({ scanId: a2.id, fleet: A });
    expect(await s.goneOf(SAME, B)).toBeUndefined();
    // Without a fleet: the newest across fleets (B's, at(2), is newer than A's at(1)).
    expect(await s.goneOf(SAME)).toBeUndefined();
    expect((await s.latestResults({ fleet: A })).items.map((i) => i.instanceId)).toEqual([OTHER]);
    expect((await s.latestResults({ fleet: A, includeGone: true })).items).toMatchObject([
      { instanceId: OTHER },
      { instanceId: SAME, fleet: A, goneSince: a2.startedAt },
    ]);
    expect((await s.latestResults({ fleet: B })).items).toMatchObject([{ instanceId: SAME, fleet: B }]);
    expect((await s.latestResults({ fleet: B })).items[0]?.goneSince).toBeUndefined();
    expect(await s.verdictCounts({ fleet: A })).toMatchObject({ healthy: 1 });
    expect(await s.verdictCounts({ fleet: B })).toMatchObject({ healthy: 1 });
    // B's full scan not seeing it marks B's gone too; A's mark stays as it was.
    const b2 = await s.createScan({ targets: { kind: "all" }, fleet: B });
    expect(await s.markGone(b2.id)).toBe(1);
    expect(await s.goneOf(SAME, B)).toMatchObject({ scanId: b2.id, fleet: B });
    expect(await s.goneOf(SAME, A)).toMatchObject({ scanId: a2.id });
  });

  it("gives a fleet's result the instance of a scan from before fleets were recorded (one row, not two)", async () => {
    const s = await e.open(await e.fresh());
    const legacy = await s.createScan({ targets: { kind: "all" } });
    await s.saveResult(result(legacy.id, SAME, "at-risk", { probedAt: at(1) }), "old");
    expect((await s.latestResults({ fleet: A })).items.map((i) => [i.instanceId, i.fleet])).toEqual([
      [SAME, undefined],
    ]);
    expect(await s.instanceFleets(SAME)).toEqual([""]);
    const a = await s.createScan({ targets: { kind: "all" }, fleet: A });
    await s.saveResults([{ result: result(a.id, SAME, "healthy", { probedAt: at(2) }), rawOutput: "new" }]);
    expect((await s.latestResults()).items.map((i) => [i.instanceId, i.fleet, i.verdict])).toEqual([
      [SAME, A, "healthy"],
    ]);
    expect(await s.instanceFleets(SAME)).toEqual([A]);
    // Its history in the fleet keeps what the older scan saw.
    expect((await s.instanceHistory(SAME, 50, A)).map((r) => r.rawOutput)).toEqual(["new", "old"]);
  });

  it("migrates a database at scan-takeover-001, keeping its rows and giving them their scan's fleet", async () => {
    const where = await e.fresh();
    const upTo = MIGRATIONS.slice(0, MIGRATIONS.findIndex((m) => m.id === "scan-takeover-001") + 1);
    if (e.name === "SQLite") {
      const db = new Database(where);
      migrate(db, upTo);
      db.close();
    } else {
      const pool = openPool(where, 1);
      await migratePg(pool, upTo);
      await pool.end();
    }
    const scan = (id: string, fleet: string | null) =>
      e.sql(
        where,
        `INSERT INTO scans (id, status, targets, target_key, started_at, fleet)
         VALUES ('${id}', 'completed', '{"kind":"all"}', 'all', '${at(0)}', ${fleet ? `'${fleet}'` : "NULL"})`,
      );
    const res = async (scanId: string, instanceId: string, probedAt: string) => {
      await e.sql(
        where,
        `INSERT INTO results (scan_id, instance_id, verdict, summary, ping_status, restart_will_work, probed_at,
           target, outcome, diagnosis, raw_output)
         VALUES ('${scanId}', '${instanceId}', 'healthy', 'fine', 'Online', 0, '${probedAt}',
           '{"instanceId":"${instanceId}","pingStatus":"Online"}', '{"status":"Success","output":"","truncated":false}',
           '{"verdict":"healthy","summary":"fine","evidence":[],"remedies":[],"restartWillWork":false}', 'raw-${scanId}')`,
      );
      await e.sql(
        where,
        `INSERT INTO latest (instance_id, result_id, scan_id, verdict, summary, ping_status, restart_will_work, probed_at)
         SELECT instance_id, id, scan_id, verdict, summary, ping_status, restart_will_work, probed_at FROM results
         WHERE scan_id = '${scanId}' AND instance_id = '${instanceId}'`,
      );
    };
    await scan("s-old", null);
    await scan("s-a", A);
    await scan("s-a2", A);
    await res("s-old", OTHER, at(1));
    await res("s-a", SAME, at(1));
    await e.sql(
      where,
      `INSERT INTO fleet_gone (instance_id, fleet, since, scan_id) VALUES ('${SAME}', '${A}', '${at(5)}', 's-a2')`,
    );

    const s = await e.open(where);
    expect(await s.latestResult(SAME)).toMatchObject({
      scanId: "s-a",
      rawOutput: "raw-s-a",
      fleet: A,
      verdict: "healthy",
    });
    expect(await s.latestResult(SAME, A)).toMatchObject({ scanId: "s-a" });
    expect(await s.latestResult(OTHER)).toMatchObject({ scanId: "s-old", rawOutput: "raw-s-old" });
    expect((await s.latestResult(OTHER))?.fleet).toBeUndefined();
    expect(await s.goneOf(SAME, A)).toEqual({ since: at(5), scanId: "s-a2", fleet: A });
    expect((await s.latestResults({ fleet: A, includeGone: true })).items.map((i) => [i.instanceId, i.fleet])).toEqual([
      [OTHER, undefined],
      [SAME, A],
    ]);
    expect((await s.instanceHistory(SAME, 50, A)).map((r) => r.rawOutput)).toEqual(["raw-s-a"]);
    const cols = await e.sql(where, `SELECT fleet FROM results ORDER BY scan_id DESC`);
    expect(cols.map((r) => r.fleet)).toEqual(["", A]);
    // And the migrated store writes both fleets' rows of one id.
    const b = await s.createScan({ targets: { kind: "all" }, fleet: B });
    await s.saveResult(result(b.id, SAME, "agent-failed", { probedAt: at(7) }), "");
    expect(await s.instanceFleets(SAME)).toEqual([B, A]);
  });
});
