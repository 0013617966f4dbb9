/**
 * A sweep over the simulator's `multi` organization, as the fleets file of the demo lists it (examples/), through
 * STS AssumeRole and the real SDK: each member fleet's results are stored under that fleet (the instance id two
 * accounts share read apart), sandbox's fleets (a role that cannot be assumed) are errors of their own and the sweep
 * is partial, never failed. And a slow fleet does not slow another: each fleet has its own clients and pace.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateMultiScenario } from "../../sim/fleet/index.ts";
import { type Simulator, startSimulator } from "../../sim/main.ts";
import { simEnv } from "../../test/helpers/sim.ts";
import { type Config, parseConfig } from "../config.ts";
import { listFleets } from "../fleets/list-fleets.ts";
import type { FleetTarget } from "../fleets/types.ts";
import { openStore, type Store } from "../store/store.ts";
import { getSweep } from "./get-sweep.ts";
import { selectFleets } from "./select-fleets.ts";
import { type SweepContext, startSweep } from "./start-sweep.ts";

const SHARED = "i-0a1b2c3d4e5f60718";
const FAST = { sendRate: 20, pollRate: 50, probeTimeoutSeconds: 30, deliveryTimeoutSeconds: 60, joinGraceSeconds: 300 };
const TUNING = { firstPollMs: 300, minPollMs: 250, maxPollMs: 1000 };

let sim: Simulator;
let store: Store;

beforeAll(() => {
  store = openStore(":memory:");
});

afterAll(async () => {
  await store?.close();
  await sim?.close();
});

function context(config: Config, extra: Partial<SweepContext> = {}): SweepContext {
  return { store, config: { ...config, ...FAST }, tuning: TUNING, actor: "ops@example.com", ...extra };
}

async function simFleets(): Promise<Map<string, number>> {
  const body = (await (await fetch(`${sim.url}/_sim/fleets`)).json()) as { fleets: { id: string; hosts: number }[] };
  return new Map(body.fleets.map((f) => [f.id, f.hosts]));
}

describe("a sweep over the multi organization", () => {
  let config: Config;
  beforeAll(async () => {
    sim = await startSimulator({ scenario: "multi", exec: "model" });
    Object.assign(process.env, simEnv(sim.url));
    config = parseConfig({
      ...process.env,
      FLEET_DOCTOR_FLEETS: path.resolve(import.meta.dirname, "../../examples/fleets.multi.yaml"),
    });
  }, 60_000);

  it("reads prod and staging under their fleets, sandbox's fleets are errors of their own, the sweep is partial", async () => {
    const view = await listFleets(config);
    expect(view.targets).toHaveLength(6);
    const answer = await startSweep(selectFleets(view, "all"), { kind: "all" }, context(config));
    const done = await answer.done;
    expect(done.status).toBe("partial");
    const sweep = (await getSweep(store, answer.sweepId))!;
    const hosts = await simFleets();
    const read = sweep.fleets.filter((f) => !f.error);
    expect(read.map((f) => f.fleet).sort()).toEqual([
      "111111111111/eu-west-1",
      "111111111111/us-east-1",
      "222222222222/eu-west-1",
      "222222222222/us-east-1",
    ]);
    for (const f of read) {
      expect(f.scan?.status).toBe("completed");
      expect(await store.scanFleet(f.scanId!)).toBe(f.fleet);
      // Each fleet's scan saw its own hosts: the simulator's count for that account and region.
      expect((await store.scanResults(f.scanId!)).length).toBe(hosts.get(f.fleet));
    }
    const denied = sweep.fleets.filter((f) => f.error);
    expect(denied.map((f) => f.fleet).sort()).toEqual(["333333333333/eu-west-1", "333333333333/us-east-1"]);
    for (const f of denied) {
      expect(f.scanId).toBeUndefined();
      expect(f.error?.code).toBe("AccessDenied");
      expect(f.error?.message).toContain("arn:aws:iam::333333333333:role/FleetDoctorMember");
    }
    // The instance id prod and staging share is two instances, each read in its own account.
    const scanOf = (fleet: string) => read.find((f) => f.fleet === fleet)!.scanId!;
    const prod = await store.scanResult(scanOf("111111111111/us-east-1"), SHARED);
    const staging = await store.scanResult(scanOf("222222222222/us-east-1"), SHARED);
    expect(prod?.verdict).toBe("lifecycle-404:ready");
    expect(staging?.verdict).toBe("healthy");
  }, 120_000);
});

describe("a slow fleet beside a quick one", () => {
  const quick: FleetTarget = {
    id: "111111111111/ap-southeast-2",
    account: "111111111111",
    region: "ap-southeast-2",
    roles: [{ roleArn: "arn:aws:iam::111111111111:role/FleetDoctorMember" }],
  };
  const slow: FleetTarget = {
    id: "222222222222/ap-southeast-2",
    account: "222222222222",
    region: "ap-southeast-2",
    roles: [{ roleArn: "arn:aws:iam::222222222222:role/FleetDoctorMember" }],
  };
  const SLOW_MS = 6000;

  beforeAll(async () => {
    await sim?.close();
    // Two member accounts of 20 hosts each; every host of the second delivers its commands 6 s late. Another region
    // than the first simulator's: clientsForFleet keeps a fleet's clients (and its role session) per process.
    const scenario = generateMultiScenario({ accounts: 2, regions: ["ap-southeast-2"], hosts: 40, seed: 3 });
    for (const h of scenario.accounts![1]!.fleets[0]!.hosts) h.latencyMs = SLOW_MS;
    sim = await startSimulator({ scenario, exec: "model" });
    Object.assign(process.env, simEnv(sim.url));
  }, 60_000);

  it("ends the quick fleet's scan as soon as it would alone, long before the slow one's", async () => {
    const config = parseConfig(process.env);
    const alone = await startSweep({ targets: [quick], errors: [] }, { kind: "all" }, context(config));
    const aloneScan = (await getSweep(store, (await alone.done).id))!.fleets[0]!.scan!;
    const aloneMs = Date.parse(aloneScan.finishedAt!) - Date.parse(aloneScan.startedAt);

    const both = await startSweep({ targets: [slow, quick], errors: [] }, { kind: "all" }, context(config));
    const sweep = (await getSweep(store, (await both.done).id))!;
    expect(sweep.fleets.map((f) => [f.fleet, f.scan?.status, f.error?.code])).toEqual([
      [slow.id, "completed", undefined],
      [quick.id, "completed", undefined],
    ]);
    expect(sweep.status).toBe("completed");
    const [s, q] = sweep.fleets.map((f) => f.scan!);
    const quickMs = Date.parse(q!.finishedAt!) - Date.parse(q!.startedAt);
    const slowMs = Date.parse(s!.finishedAt!) - Date.parse(s!.startedAt);
    expect(slowMs).toBeGreaterThan(SLOW_MS);
    expect(quickMs).toBeLessThan(SLOW_MS);
    // Beside the slow fleet the quick one took about what it takes alone (slack for a shared 2-core machine).
    expect(quickMs).toBeLessThan(aloneMs * 1.5 + 1000);
    expect(Date.parse(q!.finishedAt!)).toBeLessThan(Date.parse(s!.finishedAt!) - 2000);
  }, 120_000);
});
