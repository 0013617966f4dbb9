/**
 * The routes behind the dashboard's gone view, called as Next.js calls them, against the simulator (real SDK) and a
 * real SQLite store: the instances table's rows with and without the gone instances (`?include=gone`, each with its
 * own ETag), and the restart buttons' preflight, which asks SSM once and refuses an instance it no longer manages.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CompactRows } from "../../components/instances/rows.ts";
import { runScan } from "../../lib/scan/run-scan.ts";
import { getStore } from "../../lib/store/index.ts";
import { type Simulator, startSimulator } from "../../sim/main.ts";
import { simScanContext } from "../../test/helpers/scan-context.ts";
import { simCalls, simEnv } from "../../test/helpers/sim.ts";

const LEAVING = "i-0a000000000000001";
const READY = "i-0a000000000000003";
const SMALL = path.join(import.meta.dirname, "../../sim/scenarios/small.json");

let sim: Simulator;

type Host = { id: string };
async function loadHosts(keep: (h: Host) => boolean) {
  const small = JSON.parse(readFileSync(SMALL, "utf8")) as { hosts: Host[] };
  small.hosts = small.hosts.filter(keep);
  await fetch(`${sim.url}/_sim/scenario`, { method: "POST", body: JSON.stringify({ scenario: small }) });
}

async function fullScan() {
  let status = "";
  for await (const e of runScan({ kind: "all" }, simScanContext(getStore()))) {
    if (e.type === "scan-finished") status = e.status;
  }
  expect(status).toBe("completed");
}

beforeAll(async () => {
  sim = await startSimulator({ scenario: "small", exec: "model", snapshotTtlMs: 0 });
  // The routes read their configuration (store, region, endpoint) from the environment, as the server does.
  Object.assign(process.env, simEnv(sim.url), { FLEET_DOCTOR_DB: ":memory:", FLEET_DOCTOR_AUTH: "none" });
  await fullScan();
  await loadHosts((h) => h.id !== LEAVING);
  await fullScan();
}, 60_000);

afterAll(async () => {
  await getStore().close();
  await sim?.close();
});

describe("GET /api/instances/table", () => {
  const get = async (query = "", etag?: string) => {
    const { GET } = await import("./instances/table/route.ts");
    const headers = etag ? { "if-none-match": etag } : undefined;
    return GET(new Request(`http://localhost/api/instances/table${query}`, { headers }));
  };

  it("leaves gone instances out by default and lists them, with when they went, on include=gone", async () => {
    const live = await get();
    expect(live.status).toBe(200);
    const liveRows = (await live.json()) as CompactRows;
    expect(liveRows.ids).toHaveLength(8);
    expect(liveRows.ids).not.toContain(LEAVING);
    expect(liveRows.gone).toBeUndefined();

    const all = await get("?include=gone");
    const rows = (await all.json()) as CompactRows;
    expect(rows.ids).toHaveLength(9);
    const i = rows.ids.indexOf(LEAVING);
    const goneSince = (await getStore().goneOf(LEAVING))!.since;
    expect(rows.gone?.[i]).toBe(Math.round(Date.parse(goneSince) / 1000));
    expect(rows.gone?.filter((g) => g > 0)).toHaveLength(1);
    expect(rows.verdict[i]).toBeDefined(); // its last verdict is kept
  });

  it("gives each view its own ETag, so one view's copy never answers 304 for the other", async () => {
    const liveTag = (await get()).headers.get("etag")!;
    const goneTag = (await get("?include=gone")).headers.get("etag")!;
    expect(liveTag).not.toBe(goneTag);
    expect((await get("?include=gone", goneTag)).status).toBe(304);
    expect((await get("?include=gone", liveTag)).status).toBe(200);
    expect((await get("", goneTag)).status).toBe(200);
  });

  it("answers the JSON error envelope for an unknown include", async () => {
    const res = await get("?include=everything");
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBeTruthy();
  });
});

describe("GET /api/actions/preflight", () => {
  it("asks SSM once and refuses an instance it no longer manages, before any scan says so; sends nothing", async () => {
    const { GET } = await import("./actions/preflight/route.ts");
    // READY was fixable at the last scan; now SSM no longer knows it (terminated), and no scan has run since.
    await loadHosts((h) => h.id !== LEAVING && h.id !== READY);
    const described = (await simCalls(sim.url, "DescribeInstanceInformation")).length;
    const sent = (await simCalls(sim.url, "SendCommand")).length;
    const res = await GET(new Request(`http://localhost/api/actions/preflight?ids=${READY},i-0a000000000000002`));
    expect(res.status).toBe(200);
    const { checks } = (await res.json()) as { checks: { instanceId: string; ok: boolean; reason?: string }[] };
    expect(checks[0]).toMatchObject({ instanceId: READY, ok: false, hard: true });
    expect(checks[0]!.reason).toMatch(/SSM does not manage this instance now/);
    expect(checks[1]!.reason ?? "").not.toMatch(/SSM does not manage/);
    expect((await simCalls(sim.url, "DescribeInstanceInformation")).length).toBe(described + 1);
    expect((await simCalls(sim.url, "SendCommand")).length).toBe(sent);
  });

  it("still refuses a gone instance as gone", async () => {
    const { GET } = await import("./actions/preflight/route.ts");
    const res = await GET(new Request(`http://localhost/api/actions/preflight?ids=${LEAVING}`));
    const { checks } = (await res.json()) as { checks: { ok: boolean; reason: string }[] };
    expect(checks[0]).toMatchObject({ ok: false });
    expect(checks[0]!.reason).toMatch(/^Gone: the full scan of fleet/);
  });
});
