import { describe, expect, it } from "vitest";
import { storeEngines } from "../../test/helpers/store-engines.ts";
import type { AlertDelivery } from "../alerts/types.ts";
import type { Verdict } from "../diagnosis/types.ts";
import type { InstanceResult } from "../scan/types.ts";

// The alerts' store verbs and the overview's timeline, as a contract both engines keep (see store.test.ts).
const [sqlite, postgres] = storeEngines();

const FLEET = "123456789012/us-east-1";
const OTHER = "210987654321/eu-west-1";

function result(scanId: string, instanceId: string, verdict: Verdict, probedAt: string): InstanceResult {
  return {
    scanId,
    instanceId,
    target: { instanceId, pingStatus: "Online" },
    outcome: { status: "Success", output: "{}", truncated: false, responseCode: 0 },
    diagnosis: { verdict, summary: verdict, evidence: [], remedies: [], restartWillWork: false },
    verdict,
    probedAt,
  };
}

function delivery(id: string, status: AlertDelivery["status"], extra: Partial<AlertDelivery> = {}): AlertDelivery {
  return {
    id,
    webhook: "ops",
    kinds: ["new-failure"],
    count: 2,
    status,
    attempts: 1,
    at: new Date().toISOString(),
    ...extra,
  };
}

describe.each([sqlite, postgres])("alerts store on $name", (e) => {
  it("claims each failure once, across two stores claiming at once, and forgets an instance's claims", async () => {
    const where = await e.fresh();
    const [a, b] = [await e.open(where), await e.open(where)];
    const k = (instanceId: string, verdict = "agent-failed") => ({ fleet: FLEET, instanceId, verdict });
    const at = new Date().toISOString();

    expect(await a.alerts.claim([k("i-1"), k("i-2"), k("i-1")], at)).toEqual([k("i-1"), k("i-2")]);
    expect(await a.alerts.claim([k("i-1"), k("i-1", "disconnected"), k("i-3")], at)).toEqual([
      k("i-1", "disconnected"),
      k("i-3"),
    ]);
    // The same instance in another fleet is another failure.
    expect(await b.alerts.claim([{ ...k("i-1"), fleet: OTHER }], at)).toHaveLength(1);

    // Two replicas claiming the same new failures at once: each key goes to exactly one of them.
    const keys = Array.from({ length: 50 }, (_, i) => k(`i-race-${i}`));
    const [ra, rb] = await Promise.all([a.alerts.claim(keys, at), b.alerts.claim(keys, at)]);
    expect(ra.length + rb.length).toBe(50);
    expect(new Set([...ra, ...rb].map((x) => x.instanceId)).size).toBe(50);

    expect(await b.alerts.forget(FLEET, ["i-1", "i-nothing"])).toBe(2);
    expect(await a.alerts.claim([k("i-1"), k("i-2")], at)).toEqual([k("i-1")]);
    // The other fleet's claim stays.
    expect(await a.alerts.claim([{ ...k("i-1"), fleet: OTHER }], at)).toEqual([]);
    expect(await a.alerts.forget(FLEET, [])).toBe(0);
    expect(await a.alerts.claim([], at)).toEqual([]);
  });

  it("logs deliveries, newest first, each field kept", async () => {
    const s = await e.open(await e.fresh());
    await s.alerts.recordDelivery(delivery("m1.1", "retrying", { httpStatus: 503, error: "HTTP 503" }));
    await s.alerts.recordDelivery(delivery("m1.2", "delivered", { attempts: 2, httpStatus: 200 }));
    await s.alerts.recordDelivery(
      delivery("m2.1", "failed", { kinds: ["automatic-action", "breaker-tripped"], error: "timed out after 10 ms" }),
    );
    const log = await s.alerts.recentDeliveries();
    expect(log.map((d) => d.id)).toEqual(["m2.1", "m1.2", "m1.1"]);
    expect(log[0]).toEqual({
      id: "m2.1",
      webhook: "ops",
      kinds: ["automatic-action", "breaker-tripped"],
      count: 2,
      status: "failed",
      attempts: 1,
      error: "timed out after 10 ms",
      at: log[0]!.at,
    });
    expect(log[1]).toMatchObject({ attempts: 2, httpStatus: 200, status: "delivered" });
    expect(log[1]).not.toHaveProperty("error");
    expect(await s.alerts.recentDeliveries(1)).toHaveLength(1);
  });

  it("counts per hour the instances found failing and those healed", async () => {
    const s = await e.open(await e.fresh());
    const now = Date.parse("2026-12-06T10:30:00.000Z");
    const at = (hoursAgo: number, minutes = 0) => new Date(now - hoursAgo * 3_600_000 + minutes * 60_000).toISOString();
    // A scan holds one result per instance: a scan per result keeps the history apart.
    const save = async (id: string, v: Verdict, when: string, fleet = FLEET) => {
      const sc = await s.createScan({ targets: { kind: "ids", ids: [id] } });
      await s.recordScanFleet(sc.id, fleet);
      await s.saveResult(result(sc.id, id, v, when), "{}");
    };
    // i-a: healthy, then failing (found), failing again with another verdict (still failing), then healthy (healed).
    await save("i-a", "healthy", at(3, 10));
    await save("i-a", "lifecycle-404:ready", at(2, 5));
    await save("i-a", "agent-failed", at(2, 20));
    await save("i-a", "healthy", at(2, 50));
    // i-b: first seen failing (found).
    await save("i-b", "disconnected", at(1, 10));
    // i-c: failing since before the window (not found again), healed now.
    await save("i-c", "agent-failed", at(30));
    await save("i-c", "agent-failed", at(1, 5));
    await save("i-c", "healthy", at(0, -10));
    // i-d: another fleet's, found failing.
    await save("i-d", "agent-failed", at(1, 15), OTHER);

    const opts = { from: at(5), to: new Date(now).toISOString() };
    const all = await s.timeline.failuresTimeline(opts);
    expect(all.map((b) => b.start)).toEqual([
      "2026-12-06T05:00:00.000Z",
      "2026-12-06T06:00:00.000Z",
      "2026-12-06T07:00:00.000Z",
      "2026-12-06T08:00:00.000Z",
      "2026-12-06T09:00:00.000Z",
      "2026-12-06T10:00:00.000Z",
    ]);
    const counts = (bs: { found: number; healed: number }[]) => bs.map((b) => [b.found, b.healed]);
    // 08:35 i-a found; 09:40 i-b and 09:45 i-d found, 09:20 i-a healed; 10:20 i-c healed (each by its result's hour).
    expect(counts(all)).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
      [1, 0],
      [2, 1],
      [0, 1],
    ]);
    const mine = await s.timeline.failuresTimeline({ ...opts, fleet: FLEET });
    expect(counts(mine)).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
    ]);
  });
});
