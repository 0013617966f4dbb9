/**
 * A sweep through the real scan and the real SDK against the simulator: every fleet read in parallel with its own
 * clients, each fleet's results stored under that fleet, a fleet whose role cannot be assumed an error of its own
 * (the sweep is partial, never failed), and a fleet already being scanned joined rather than failed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../sim/main.ts";
import { simEnv } from "../../test/helpers/sim.ts";
import type { FleetTarget } from "../fleets/types.ts";
import { openStore, type Store } from "../store/store.ts";
import { getSweep } from "./get-sweep.ts";
import { type SweepContext, startSweep } from "./start-sweep.ts";

const ACCOUNT = "111111111111";
const east: FleetTarget = { id: `${ACCOUNT}/us-east-1`, account: ACCOUNT, region: "us-east-1", roles: [] };
const west: FleetTarget = { id: `${ACCOUNT}/eu-west-1`, account: ACCOUNT, region: "eu-west-1", roles: [] };
const denied: FleetTarget = {
  id: "333333333333/us-east-1",
  account: "333333333333",
  region: "us-east-1",
  roles: [{ roleArn: "arn:aws:iam::333333333333:role/FleetDoctorMember" }],
};

let sim: Simulator;
let store: Store;

beforeAll(async () => {
  sim = await startSimulator({ scenario: "small", exec: "model", account: ACCOUNT });
  Object.assign(process.env, simEnv(sim.url));
  store = openStore(":memory:");
}, 60_000);

afterAll(async () => {
  await store?.close();
  await sim?.close();
});

function context(extra: Partial<SweepContext> = {}): SweepContext {
  return {
    store,
    config: {
      maxAttempts: 4,
      sendRate: 20,
      pollRate: 50,
      probeTimeoutSeconds: 30,
      deliveryTimeoutSeconds: 60,
      joinGraceSeconds: 300,
    },
    tuning: { firstPollMs: 300, minPollMs: 250, maxPollMs: 1000 },
    actor: "ops@example.com",
    ...extra,
  };
}

const total = async (fleet: string) => Object.values(await store.verdictCounts({ fleet })).reduce((a, b) => a + b, 0);

describe("a sweep over several fleets", () => {
  it("reads each fleet under its own id, records a denied fleet as its own error and ends partial", async () => {
    const answer = await startSweep(
      { targets: [east, denied, west], errors: [] },
      { kind: "all" },
      context({ concurrency: 2 }),
    );
    // Answered once the first two fleets had their scan or their error; the third was still to come.
    expect(answer.scans.map((s) => s.fleet)).toEqual([east.id, denied.id, west.id]);
    expect(answer.scans[0]?.scanId).toBeDefined();
    expect(answer.scanId).toBeUndefined();
    const done = await answer.done;
    expect(done.status).toBe("partial");
    const view = await getSweep(store, answer.sweepId);
    const byFleet = new Map(view?.fleets.map((f) => [f.fleet, f]));
    expect(byFleet.get(east.id)?.scan?.status).toBe("completed");
    expect(byFleet.get(west.id)?.scan?.status).toBe("completed");
    // No scan row for a fleet that could not be entered: its error names the role.
    expect(byFleet.get(denied.id)?.scanId).toBeUndefined();
    expect(byFleet.get(denied.id)?.error?.message).toContain("arn:aws:iam::333333333333:role/FleetDoctorMember");
    // This simulator serves one fleet whatever the region: each fleet's scan read its 9 hosts, stored under it.
    for (const f of [east, west]) {
      const scanId = byFleet.get(f.id)?.scanId as string;
      expect(await store.scanFleet(scanId)).toBe(f.id);
      expect((await store.scanResults(scanId)).length).toBe(9);
    }
    expect(await total(denied.id)).toBe(0);
    const scans = await store.listScans({ limit: 10 });
    expect(scans.map((s) => s.fleet).sort()).toEqual([west.id, east.id].sort());
    expect(scans.every((s) => s.actor === "ops@example.com")).toBe(true);
  }, 120_000);

  it("joins a fleet's running scan instead of failing, and answers with its scanId when it reads one fleet", async () => {
    const running = await store.createScan({ targets: { kind: "all" }, fleet: east.id });
    const answer = await startSweep({ targets: [east], errors: [] }, { kind: "all" }, context());
    expect(answer.scanId).toBe(running.id);
    expect(answer.scans).toEqual([{ fleet: east.id, scanId: running.id, joined: true }]);
    let settled = false;
    void answer.done.then(() => {
      settled = true;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(settled).toBe(false);
    await store.finishScan(running.id, "completed");
    expect((await answer.done).status).toBe("completed");
  }, 60_000);

  it("keeps a fleet the listing could not resolve as that fleet's error", async () => {
    const answer = await startSweep(
      {
        targets: [west],
        errors: [
          { fleet: "444444444444/us-east-1", account: "444444444444", region: "us-east-1", code: "X", message: "no" },
        ],
      },
      { kind: "ids", ids: ["i-0a000000000000003"] },
      context(),
    );
    const done = await answer.done;
    expect(done.status).toBe("partial");
    expect(done.fleets).toEqual([
      { fleet: west.id, scanId: expect.any(String) },
      { fleet: "444444444444/us-east-1", error: { code: "X", message: "no" } },
    ]);
  }, 60_000);
});
