/**
 * Restarts per fleet against the simulator's `multi` scenario (FLEET_DOCTOR_AUTH=none, a fleets file with three
 * member accounts in us-east-1): i-0a1b2c3d4e5f60718 is two instances, one in prod (lifecycle-404:ready) and one in
 * staging (healthy). A restart names its fleet, runs with that fleet's assumed role, and the simulator's call log
 * (per account) proves where each command went.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { startSimulator } from "@/sim/main.ts";
import { startMultiSim } from "@/test/helpers/multi-fleets.ts";
import type { SimCall } from "@/test/helpers/sim.ts";

const dir = mkdtempSync(path.join(tmpdir(), "fd-actions-fleets-"));
const fleetsFile = path.join(dir, "fleets.yaml");
writeFileSync(
  fleetsFile,
  `defaults: { role: FleetDoctorMember, regions: [us-east-1] }
accounts:
  - { account_id: "111111111111", name: prod, external_id: fleet-doctor-demo }
  - { account_id: "222222222222", name: staging }
  - { account_id: "333333333333", name: sandbox }
`,
);
Object.assign(process.env, {
  FLEET_DOCTOR_DB: path.join(dir, "api.db"),
  FLEET_DOCTOR_AUTH: "none",
  FLEET_DOCTOR_RESTART_WAIT: "20",
  FLEET_DOCTOR_FLEETS: fleetsFile,
});

const BASE = "http://127.0.0.1:3999";
const SHARED = "i-0a1b2c3d4e5f60718";
const PROD = "111111111111/us-east-1";
const STAGING = "222222222222/us-east-1";

let sim: Awaited<ReturnType<typeof startSimulator>>;
let routes: { actions: typeof import("./route.ts"); preflight: typeof import("./preflight/route.ts") };
let store: import("@/lib/store/interfaces.ts").Store;

/** The restart commands SendCommand received from one account (the simulator logs each call's account). */
async function restartsIn(account: string): Promise<SimCall[]> {
  const res = await fetch(`${sim.url}/_sim/calls?op=SendCommand&account=${account}`);
  const calls = ((await res.json()) as { calls: SimCall[] }).calls;
  return calls.filter((c) => {
    const p = c.params as { Parameters?: { commands?: string[] } };
    return p.Parameters?.commands?.[1]?.startsWith("# fleet-doctor-restart") ?? false;
  });
}

beforeAll(async () => {
  sim = await startMultiSim();
  routes = { actions: await import("./route.ts"), preflight: await import("./preflight/route.ts") };
  const { runScan } = await import("@/lib/scan/run-scan.ts");
  const { fleetActionContext } = await import("@/lib/actions/context.ts");
  const { listFleets } = await import("@/lib/fleets/list-fleets.ts");
  const { config } = await import("@/lib/config.ts");
  const view = await listFleets(config());
  // Both fleets diagnosed, each through its own role: the preflight reads each fleet's latest result. (Prod last: a
  // store that keeps one latest row per id, before the store's fleet keys, still holds prod's.)
  for (const id of [STAGING, PROD]) {
    const ctx = fleetActionContext(view.targets.find((t) => t.id === id)!, "test");
    store = ctx.store;
    for await (const _ of runScan(
      { kind: "all" },
      // The scan names its fleet: the assumed role's account, not the default credentials'.
      { ...ctx, fleet: ctx.clientsFleet!, tuning: { firstPollMs: 200, minPollMs: 200, maxPollMs: 500 } },
    )) {
      // stored
    }
  }
}, 120_000);

afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = (body: unknown) =>
  routes.actions.POST(
    new Request(`${BASE}/api/actions`, {
      method: "POST",
      headers: { host: "127.0.0.1:3999", origin: BASE, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  );

async function errorOf(res: Response) {
  const body = (await res.json()) as { error: { code: string; message: string; details?: Record<string, unknown> } };
  return { status: res.status, ...body.error };
}

async function ended(actionId: string) {
  for (let i = 0; i < 600; i++) {
    const a = await store.actions.detail(actionId);
    if (a && a.status !== "running") return a;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`action ${actionId} did not end`);
}

describe("POST /api/actions with several fleets", () => {
  it.each([
    ["no fleet", { kind: "restart", instanceIds: [SHARED] }],
    ["a malformed fleet", { kind: "restart", fleet: "prod", instanceIds: [SHARED] }],
    ["a fleet with a bad region", { kind: "restart", fleet: "111111111111/Mars; rm", instanceIds: [SHARED] }],
    ["a fleet not configured", { kind: "restart", fleet: "444444444444/us-east-1", instanceIds: [SHARED] }],
  ])("%s is a 400 naming fleet, and nothing is sent", async (_name, body) => {
    const before = (await fetch(`${sim.url}/_sim/calls?op=SendCommand`).then((r) => r.json())) as { calls: unknown[] };
    const e = await errorOf(await post(body));
    expect(e.status).toBe(400);
    expect(e.code).toBe("BAD_REQUEST");
    expect(e.details?.field).toBe("fleet");
    const after = (await fetch(`${sim.url}/_sim/calls?op=SendCommand`).then((r) => r.json())) as { calls: unknown[] };
    expect(after.calls.length).toBe(before.calls.length);
  });

  it("a fleet whose role cannot be assumed is refused as that fleet's, never another's", async () => {
    const res = await post({ kind: "restart", fleet: "333333333333/us-east-1", instanceIds: [SHARED] });
    // The sandbox's role is denied: its preflight cannot ask SSM, and nothing reaches any account.
    const e = await errorOf(res);
    expect(e).toMatchObject({ status: 502, code: "AWS_ERROR", details: { code: "AccessDenied" } });
    expect(e.message).toContain("arn:aws:iam::333333333333:role/FleetDoctorMember");
    expect(await restartsIn("333333333333")).toEqual([]);
  });

  it("the preflight reads the named fleet's result: ready in prod, not in staging", async () => {
    const check = async (fleet: string) => {
      const q = new URLSearchParams({ kind: "restart", ids: SHARED, fleet });
      const res = await routes.preflight.GET(new Request(`${BASE}/api/actions/preflight?${q}`));
      expect(res.status).toBe(200);
      return ((await res.json()) as { checks: { ok: boolean; verdict?: string }[] }).checks[0]!;
    };
    expect(await check(PROD)).toMatchObject({ ok: true, verdict: "lifecycle-404:ready" });
    // Staging's instance of the id is healthy (or, in a store with one latest row per id, not diagnosed there).
    expect(await check(STAGING)).toMatchObject({ ok: false });
  });

  it("restarts the instance of prod in prod only; the same id in staging is claimed by its own action", async () => {
    const prodRes = await post({ kind: "restart", fleet: PROD, instanceIds: [SHARED] });
    expect(prodRes.status).toBe(202);
    const prod = (await prodRes.json()) as { actionId: string; created: boolean; accepted: string[] };
    expect(prod).toMatchObject({ created: true, accepted: [SHARED] });
    // While prod's restart holds the id in prod, staging's (forced: its instance is healthy) claims it there.
    const stagingRes = await post({
      kind: "restart",
      fleet: STAGING,
      instanceIds: [SHARED],
      force: true,
      reason: "staging's own instance of this id, on purpose",
    });
    expect(stagingRes.status).toBe(202);
    const staging = (await stagingRes.json()) as { actionId: string; created: boolean; accepted: string[] };
    expect(staging).toMatchObject({ created: true, accepted: [SHARED] });
    expect(staging.actionId).not.toBe(prod.actionId);

    const [a, b] = await Promise.all([ended(prod.actionId), ended(staging.actionId)]);
    expect(a.fleet).toBe(PROD);
    expect(b.fleet).toBe(STAGING);
    expect(a.outcomes[0]).toMatchObject({ instanceId: SHARED, outcome: "registered", verdictAfter: "healthy" });
    // Each command went to its own account, once.
    const prodSends = await restartsIn("111111111111");
    const stagingSends = await restartsIn("222222222222");
    expect(prodSends).toHaveLength(1);
    expect(stagingSends).toHaveLength(1);
    expect(prodSends[0]!.params).toMatchObject({
      InstanceIds: [SHARED],
      Comment: `fleet-doctor restart ${prod.actionId}`,
    });
    expect(stagingSends[0]!.params).toMatchObject({ Comment: `fleet-doctor restart ${staging.actionId}` });
    expect(await restartsIn("333333333333")).toEqual([]);
    expect(await restartsIn("123456789012")).toEqual([]);
    // The audit lists each under its fleet, and the probe after the restart is stored under prod.
    const listed = await routes.actions.GET(new Request(`${BASE}/api/actions?fleet=${encodeURIComponent(PROD)}`));
    const ids = ((await listed.json()) as { actions: { id: string; fleet?: string }[] }).actions.map((x) => x.id);
    expect(ids).toContain(prod.actionId);
    expect(ids).not.toContain(staging.actionId);
    expect(await store.scanFleet(a.outcomes[0]!.scanId!)).toBe(PROD);
  }, 120_000);
});
