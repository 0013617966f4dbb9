/**
 * Pages and listings across fleets, called as Next.js calls them, on a real SQLite store with two scans recorded
 * under two fleets: the configured one (the simulator's account, named by STS through the real SDK) and one only the
 * store has. The routes' fleet, account and region parameters, good and bad; and the data functions the pages use.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CompactRows } from "@/components/instances/rows.ts";
import type { Verdict } from "@/lib/diagnosis/types.ts";
import type { InstanceResult } from "@/lib/scan/types.ts";
import type { Store } from "@/lib/store/interfaces.ts";
import { type Simulator, startSimulator } from "@/sim/main.ts";
import { simEnv } from "@/test/helpers/sim.ts";

const ACCOUNT = "210987654321";
const HERE = `${ACCOUNT}/us-east-1`; // the configured fleet: the default credentials' account and region
const OTHER = "111111111111/eu-west-1"; // results in the store only
const [ID1, ID2, ID3] = ["i-0a00000000000000a", "i-0a00000000000000b", "i-0b00000000000000c"];
const BASE = "http://fleet.test";

let sim: Simulator;
let dir: string;
let store: Store;
let scanHere = "";
let scanOther = "";

function result(scanId: string, instanceId: string, verdict: Verdict): InstanceResult {
  return {
    scanId,
    instanceId,
    target: { instanceId, pingStatus: "Online", group: "web", lifecycleState: "InService" },
    outcome: { status: "Success", output: "{}", truncated: false, responseCode: 0 },
    diagnosis: {
      verdict,
      summary: verdict,
      evidence: [],
      remedies: [],
      restartWillWork: verdict === "lifecycle-404:ready",
    },
    verdict,
    agentVersion: "1.90.0",
    probedAt: new Date().toISOString(),
  };
}

async function scanOf(fleet: string, results: [string, Verdict][]) {
  const id = (await store.createScan({ targets: { kind: "all" }, fleet })).id;
  await store.recordScanFleet(id, fleet);
  for (const [instanceId, verdict] of results) await store.saveResult(result(id, instanceId, verdict), "raw");
  await store.finishScan(id, "completed");
  return id;
}

const get = (url: string) => new Request(`${BASE}${url}`);

async function errorOf(res: Response) {
  const body = (await res.json()) as { error: { code: string; message: string; details?: { field?: string } } };
  return { status: res.status, ...body.error };
}

type Listing = { total: number; items: { instanceId: string }[]; counts: Record<string, number>; fleets: string[] };
async function listing(query: string): Promise<Listing> {
  const { GET } = await import("./instances/route.ts");
  const res = await GET(get(`/api/instances${query}`));
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Listing;
}
const ids = (l: Listing) => l.items.map((i) => i.instanceId).sort();

beforeAll(async () => {
  sim = await startSimulator({ scenario: "small", exec: "model", account: ACCOUNT });
  dir = mkdtempSync(path.join(tmpdir(), "fd-fleets-"));
  // The routes read their configuration (store, region, endpoint) from the environment, as the server does.
  Object.assign(process.env, simEnv(sim.url), {
    FLEET_DOCTOR_DB: path.join(dir, "fleets.db"),
    FLEET_DOCTOR_AUTH: "none",
    FLEET_DOCTOR_FLEETS: "",
  });
  store = (await import("@/lib/store/index.ts")).getStore();
  scanHere = await scanOf(HERE, [
    [ID1, "healthy"],
    [ID2, "lifecycle-404:ready"],
  ]);
  scanOther = await scanOf(OTHER, [[ID3, "agent-failed"]]);
}, 60_000);

afterAll(async () => {
  await store?.close();
  await sim?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("GET /api/instances: fleet, account and region", () => {
  it("lists the configured fleets by default (and with fleet=all); a fleet only the store has stays out", async () => {
    for (const q of ["", "?fleet=all"]) {
      const l = await listing(q);
      expect(ids(l)).toEqual([ID1, ID2]);
      expect(l.fleets).toEqual([HERE]);
      expect(l.counts).toMatchObject({ healthy: 1, "lifecycle-404:ready": 1 });
      expect(l.counts["agent-failed"] ?? 0).toBe(0);
    }
  });

  it("lists the fleets asked for, repeated or as a comma list, with their counts added up", async () => {
    const other = await listing(`?fleet=${OTHER}`);
    expect(ids(other)).toEqual([ID3]);
    expect(other.counts).toMatchObject({ "agent-failed": 1, healthy: 0, "lifecycle-404:ready": 0 });
    for (const q of [`?fleet=${HERE}&fleet=${OTHER}`, `?fleet=${HERE},${OTHER}`]) {
      const both = await listing(q);
      expect(ids(both)).toEqual([ID1, ID2, ID3]);
      expect(both.fleets).toEqual([HERE, OTHER]);
      expect(both.counts).toMatchObject({ healthy: 1, "lifecycle-404:ready": 1, "agent-failed": 1 });
    }
  });

  it("keeps the fleets to an account and a region", async () => {
    const byAccount = await listing(`?fleet=${HERE},${OTHER}&account=111111111111`);
    expect(byAccount.fleets).toEqual([OTHER]);
    expect(ids(byAccount)).toEqual([ID3]);
    const byRegion = await listing(`?fleet=${HERE},${OTHER}&region=us-east-1`);
    expect(byRegion.fleets).toEqual([HERE]);
    expect(ids(byRegion)).toEqual([ID1, ID2]);
    expect(ids(await listing(`?account=${ACCOUNT}&region=us-east-1`))).toEqual([ID1, ID2]);
    // No configured fleet is in eu-west-1: nothing, not everything.
    const none = await listing("?region=eu-west-1");
    expect(none).toMatchObject({ total: 0, items: [], fleets: [] });
  });

  it.each([
    ["fleet=nope", "fleet"],
    ["fleet=123/us-east-1", "fleet"],
    ["fleet=111111111111/Mars", "fleet"],
    [`fleet=${HERE}&fleet=${encodeURIComponent("x; rm -rf /")}`, "fleet"],
    [`fleet=${HERE},../../etc`, "fleet"],
    ["account=1234", "account"],
    ["account=abcdefghijkl", "account"],
    ["region=us_east_1", "region"],
    [`region=${encodeURIComponent("us-east-1' OR 1=1")}`, "region"],
  ])("refuses ?%s naming %s", async (qs, param) => {
    const { GET } = await import("./instances/route.ts");
    const e = await errorOf(await GET(get(`/api/instances?${qs}`)));
    expect(e).toMatchObject({ status: 400, code: "BAD_REQUEST" });
    expect(String(e.details?.field)).toMatch(new RegExp(`^${param}(\\[\\d+\\])?$`));
    expect(e.message).toMatch(new RegExp(`^${param}`));
  });
});

describe("GET /api/fleets", () => {
  it("lists the configured fleet and the one only the store has, with their instances", async () => {
    const { GET } = await import("./fleets/route.ts");
    const res = await GET(get("/api/fleets"));
    expect(res.status).toBe(200);
    const { fleets } = (await res.json()) as { fleets: Record<string, unknown>[] };
    expect(fleets).toEqual([
      { id: HERE, account: ACCOUNT, region: "us-east-1", source: "default", instances: 2 },
      { id: OTHER, account: "111111111111", region: "eu-west-1", source: "store", instances: 1 },
    ]);
  });
});

describe("GET /api/instances/table and /api/instances/:id/view with ?fleet=", () => {
  const table = async (query = "") => {
    const { GET } = await import("./instances/table/route.ts");
    return GET(get(`/api/instances/table${query}`));
  };

  it("sends the picked fleet's rows, each view with its own ETag", async () => {
    const all = await table();
    const other = await table(`?fleet=${OTHER}`);
    expect(((await all.json()) as CompactRows).ids.sort()).toEqual([ID1, ID2]);
    expect(((await other.json()) as CompactRows).ids).toEqual([ID3]);
    expect(all.headers.get("etag")).not.toBe(other.headers.get("etag"));
  });

  it("refuses a malformed fleet naming it", async () => {
    expect(await errorOf(await table("?fleet=nope"))).toMatchObject({ status: 400, details: { field: "fleet" } });
    const { GET } = await import("./instances/[id]/view/route.ts");
    const res = await GET(get(`/api/instances/${ID3}/view?fleet=x`), { params: Promise.resolve({ id: ID3 }) });
    expect(await errorOf(res)).toMatchObject({ status: 400, details: { field: "fleet" } });
  });

  it("reads an instance's view in the fleet asked for, with its account and region", async () => {
    const { GET } = await import("./instances/[id]/view/route.ts");
    const res = await GET(get(`/api/instances/${ID3}/view?fleet=${OTHER}`), { params: Promise.resolve({ id: ID3 }) });
    expect(res.status).toBe(200);
    const { view } = (await res.json()) as { view: { instanceId: string; fleet?: string; region: string } };
    expect(view).toMatchObject({ instanceId: ID3, fleet: OTHER, region: "eu-west-1" });
  });
});

describe("the pages' data functions, scoped by the picked fleet", () => {
  it("the overview of every fleet counts the configured fleet and lists both fleets with their own counts", async () => {
    const { loadOverview } = await import("@/app/_data/fleet.ts");
    const o = await loadOverview(undefined, get("/"));
    expect(o.total).toBe(2);
    expect(o.counts).toMatchObject({ healthy: 1, "lifecycle-404:ready": 1, "agent-failed": 0 });
    expect(o.view).toEqual({ ids: [HERE] });
    expect(o.lastScan?.id).toBe(scanHere);
    expect(o.fixableIds).toEqual([ID2]);
    expect(o.fleets.map((f) => [f.id, f.source, f.total, f.lastScan?.id])).toEqual([
      [HERE, "default", 2, scanHere],
      [OTHER, "store", 1, scanOther],
    ]);
    expect(o.fleets[1]!.counts).toMatchObject({ "agent-failed": 1, healthy: 0 });
  });

  it("the overview of one fleet counts only it", async () => {
    const { loadOverview } = await import("@/app/_data/fleet.ts");
    const o = await loadOverview(OTHER, get("/"));
    expect(o.view).toEqual({ picked: OTHER, ids: [OTHER] });
    expect(o.total).toBe(1);
    expect(o.counts).toMatchObject({ "agent-failed": 1, healthy: 0 });
    expect(o.lastScan?.id).toBe(scanOther);
    expect(o.groups).toEqual(["web"]);
    // A malformed ?fleet= is every fleet, not an error page.
    expect((await loadOverview("nope", get("/"))).view).toEqual({ ids: [HERE] });
  });

  it("the scans and the table follow the picked fleet", async () => {
    const { loadScans, tableData } = await import("@/app/_data/fleet.ts");
    expect((await loadScans(100, OTHER, get("/scans"))).map((s) => s.id)).toEqual([scanOther]);
    expect((await loadScans(100, undefined, get("/scans"))).map((s) => s.id)).toEqual([scanOther, scanHere]);
    const other = await tableData(get("/instances"), { fleet: OTHER });
    expect(other.rows.map((r) => [r.instanceId, r.account, r.region, r.fleet])).toEqual([
      [ID3, "111111111111", "eu-west-1", OTHER],
    ]);
    // The table offers the accounts and regions of its rows as filter values.
    expect(other.filteringOptions).toContainEqual({
      propertyKey: "account",
      value: "111111111111",
      label: "111111111111",
    });
    expect(other.filteringOptions).toContainEqual({ propertyKey: "region", value: "eu-west-1", label: "eu-west-1" });
    const all = await tableData(get("/instances"));
    expect(all.rows.map((r) => r.instanceId).sort()).toEqual([ID1, ID2]);
    expect(all.version).not.toBe(other.version);
  });
});

describe("a fleet the newest sweep could not read", () => {
  it("carries that error in GET /api/fleets and on the overview's line of the fleet", async () => {
    const sweep = await store.sweeps.create({ fleets: [HERE], targets: { kind: "all" } });
    const denied = {
      code: "AccessDenied",
      message: "Role arn:aws:iam::210987654321:role/FleetDoctorMember could not be assumed",
    };
    await store.sweeps.recordFleet(sweep.id, { fleet: HERE, error: denied });
    await store.sweeps.finish(sweep.id, "partial");
    const { GET } = await import("./fleets/route.ts");
    const { fleets } = (await (await GET(get("/api/fleets"))).json()) as { fleets: Record<string, unknown>[] };
    expect(fleets[0]).toMatchObject({ id: HERE, error: { ...denied, at: sweep.startedAt } });
    expect(fleets[1]).not.toHaveProperty("error");
    const { loadOverview } = await import("@/app/_data/fleet.ts");
    expect((await loadOverview(undefined, get("/"))).fleets[0]).toMatchObject({ id: HERE, error: denied });
  });
});
