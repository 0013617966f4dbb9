/**
 * Fleet membership through the real scan: two simulators (two accounts) scanned into one database keep their
 * counts apart, and an instance a later full scan of its fleet does not see is gone: out of the counts and the
 * default listing, with its last verdict kept.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateScenario } from "../../sim/fleet/index.ts";
import { type Simulator, startSimulator } from "../../sim/main.ts";
import { simScanContext } from "../../test/helpers/scan-context.ts";
import { restartSends, simEnv } from "../../test/helpers/sim.ts";
import { managedNow } from "../actions/managed-now.ts";
import { preflight } from "../actions/preflight.ts";
import { requestAction } from "../actions/request-action.ts";
import { runAction } from "../actions/run-action.ts";
import { LOCAL_ACTOR } from "../auth/roles.ts";
import { openStore, type Store } from "../store/store.ts";
import { runScan } from "./run-scan.ts";
import type { Targets } from "./types.ts";

const A = "111111111111/us-east-1";
const B = "222222222222/us-east-1";
const LEAVING = "i-0a000000000000001";

let simA: Simulator;
let simB: Simulator;
let store: Store;

beforeAll(async () => {
  simA = await startSimulator({ scenario: "small", exec: "model", account: "111111111111", snapshotTtlMs: 0 });
  simB = await startSimulator({
    scenario: generateScenario({ hosts: 5, seed: 7 }),
    exec: "model",
    account: "222222222222",
  });
  store = openStore(":memory:");
}, 60_000);

afterAll(async () => {
  store?.close();
  await simA?.close();
  await simB?.close();
});

/** A scan context pointed at one simulator (each context's clients read AWS_ENDPOINT_URL when they are made). */
function contextFor(sim: Simulator) {
  Object.assign(process.env, simEnv(sim.url));
  return simScanContext(store);
}

async function scan(sim: Simulator, targets: Targets = { kind: "all" }) {
  let status = "";
  for await (const e of runScan(targets, contextFor(sim))) if (e.type === "scan-finished") status = e.status;
  expect(status).toBe("completed");
}

const total = async (fleet: string) => Object.values(await store.verdictCounts({ fleet })).reduce((a, b) => a + b, 0);

describe("two fleets in one database", () => {
  it("records each scan's fleet and keeps one fleet's counts out of the other's", async () => {
    await scan(simA);
    expect(await total(A)).toBe(9);
    expect(await store.instanceFleet(LEAVING)).toBe(A);
    await scan(simB);
    expect(await total(A)).toBe(9);
    expect(await total(B)).toBe(5);
    expect((await store.latestResults({ fleet: A, limit: 1000 })).total).toBe(9);
    expect((await store.listScans({ limit: 2 })).map((s) => s.fleet)).toEqual([B, A]);
  }, 60_000);

  it("marks gone what a full scan of the fleet no longer sees, and only in that fleet", async () => {
    const small = JSON.parse(readFileSync(path.join(import.meta.dirname, "../../sim/scenarios/small.json"), "utf8"));
    small.hosts = small.hosts.filter((h: { id: string }) => h.id !== LEAVING);
    await fetch(`${simA.url}/_sim/scenario`, { method: "POST", body: JSON.stringify({ scenario: small }) });
    // A scan of some ids is not a full scan: nothing is gone after it.
    await scan(simA, { kind: "ids", ids: ["i-0a000000000000003"] });
    expect(await store.goneOf(LEAVING)).toBeUndefined();
    await scan(simA);
    expect(await total(A)).toBe(8);
    expect(await total(B)).toBe(5);
    expect(await store.goneOf(LEAVING)).toMatchObject({ fleet: A });
    const listed = (await store.latestResults({ fleet: A, limit: 1000 })).items.map((i) => i.instanceId);
    expect(listed).not.toContain(LEAVING);
    const withGone = await store.latestResults({ fleet: A, includeGone: true, limit: 1000 });
    expect(withGone.total).toBe(9);
    const gone = withGone.items.find((i) => i.instanceId === LEAVING)!;
    expect(gone.goneSince).toBeDefined();
    expect(gone.verdict).toBe("healthy"); // its last verdict is kept
    expect((await store.verdictsBy("group", { fleet: A })).reduce((n, r) => n + r.n, 0)).toBe(8);
  }, 60_000);

  it("refuses, forced or not, to restart a gone instance", async () => {
    const [check] = await preflight("restart", [LEAVING], { store, config: { restartMaxAgeSeconds: 900 } });
    expect(check).toMatchObject({ ok: false, hard: true });
    expect(check!.reason).toMatch(/^Gone: the full scan of fleet 111111111111\/us-east-1/);
  });

  it("refuses an instance SSM does not manage now, before any full scan says so, and sends nothing", async () => {
    const READY = "i-0a000000000000003";
    const small = JSON.parse(readFileSync(path.join(import.meta.dirname, "../../sim/scenarios/small.json"), "utf8"));
    small.hosts = small.hosts.filter((h: { id: string }) => h.id !== LEAVING && h.id !== READY);
    await fetch(`${simA.url}/_sim/scenario`, { method: "POST", body: JSON.stringify({ scenario: small }) });
    const ctx = contextFor(simA);
    const managed = await managedNow(ctx.clients, [READY, "i-0a000000000000002"]);
    expect([...managed.keys()]).toEqual(["i-0a000000000000002"]);
    const config = { restartMaxAgeSeconds: 900, restartWaitSeconds: 20 };
    const answer = await requestAction(
      { kind: "restart", instanceIds: [READY], force: true, reason: "it was ready a minute ago" },
      LOCAL_ACTOR,
      { store, config, managed },
    );
    expect(answer.accepted).toEqual([]);
    expect(answer.refused[0]).toMatchObject({ instanceId: READY, hard: true });
    expect(answer.refused[0]!.reason).toMatch(/SSM does not manage this instance now/);
    for await (const _ of runAction(answer.actionId, { ...ctx, config: { ...ctx.config, ...config } })) {
      // recorded as refused
    }
    expect(await restartSends(simA.url)).toHaveLength(0);
  }, 30_000);
});
