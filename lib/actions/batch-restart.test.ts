/**
 * Restarts of `lifecycle-404:ready` instances go together (issue 13, item 6): they run no tasks, so one SendCommand
 * per batch of up to 50 with MaxConcurrency of the batch, instead of a 10 % canary that restarts them one at a time.
 * Any other verdict, or a forced restart, keeps the canary. Counted on the simulator's own call log.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator } from "../../sim/main.ts";
import { type ScannedFleet, scannedFleet } from "../../test/helpers/scanned-fleet.ts";
import { restartSends } from "../../test/helpers/sim.ts";
import { LOCAL_ACTOR } from "../auth/roles.ts";
import { requestAction } from "./request-action.ts";
import { runAction } from "./run-action.ts";

let fleet: ScannedFleet;
let sim: ScannedFleet["sim"];
let store: ScannedFleet["store"];
let ctx: ScannedFleet["ctx"];

beforeAll(async () => {
  fleet = await scannedFleet(await startSimulator({ scenario: "demo", exec: "model" }), "fd-batch-restart-");
  ({ sim, store, ctx } = fleet);
}, 120_000);

afterAll(() => fleet?.close());

const latest = async () => (await store.latestResults({ limit: 1000 })).items;
const readyIds = async () =>
  (await latest()).filter((r) => r.verdict === "lifecycle-404:ready").map((r) => r.instanceId);

describe("restarting lifecycle-404:ready instances", () => {
  it("sends one command for the batch with MaxConcurrency of the batch", async () => {
    const ready = await readyIds();
    expect(ready.length).toBeGreaterThan(2);
    const a = await requestAction({ kind: "restart", instanceIds: ready }, LOCAL_ACTOR, ctx);
    expect(a.accepted.sort()).toEqual([...ready].sort());
    for await (const _ of runAction(a.actionId, ctx)) {
      // stored
    }
    const sends = (await restartSends(sim.url)).filter((c) =>
      (c.params.InstanceIds as string[]).some((id) => ready.includes(id)),
    );
    expect(sends).toHaveLength(1);
    expect((sends[0]!.params.InstanceIds as string[]).sort()).toEqual([...ready].sort());
    expect(sends[0]!.params.MaxConcurrency).toBe(String(ready.length));
  }, 120_000);

  it("keeps the canary for a forced restart", async () => {
    const others = (await latest())
      .filter((r) => r.verdict === "lifecycle-404:blocked" && r.pingStatus === "Online")
      .map((r) => r.instanceId)
      .slice(0, 12);
    expect(others.length).toBeGreaterThan(1);
    const a = await requestAction(
      { kind: "restart", instanceIds: others, force: true, reason: "checking the canary stays" },
      LOCAL_ACTOR,
      ctx,
    );
    expect(a.accepted.length).toBe(others.length);
    // 10 % of the targets, at least one: the first batch is a canary.
    expect((await store.actions.detail(a.actionId))?.maxConcurrency).toBe(Math.ceil(others.length / 10));
  });
});
