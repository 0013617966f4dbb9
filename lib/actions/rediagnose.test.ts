/**
 * A restart's re-diagnosis while another scan holds the fleet (the watcher's probe, another group's action): it
 * waits for that scan and then judges the restart, instead of failing with CONFLICT and recording no verdict after.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator } from "../../sim/main.ts";
import { type ScannedFleet, scannedFleet } from "../../test/helpers/scanned-fleet.ts";
import { LOCAL_ACTOR } from "../auth/roles.ts";
import { fleetOf } from "../scan/run-scan.ts";
import { requestAction } from "./request-action.ts";
import { runAction } from "./run-action.ts";

let fleet: ScannedFleet;

beforeAll(async () => {
  fleet = await scannedFleet(await startSimulator({ scenario: "demo", exec: "model" }), "fd-rediagnose-");
}, 120_000);

afterAll(() => fleet?.close());

describe("re-diagnosis after a restart", () => {
  it("waits for a scan that holds the fleet, then records the verdict after", async () => {
    const { store, ctx } = fleet;
    const ready = (await store.latestResults({ limit: 1000 })).items
      .filter((r) => r.verdict === "lifecycle-404:ready")
      .map((r) => r.instanceId);
    expect(ready.length).toBeGreaterThan(0);
    // Another scan of the fleet, running until after the restart's own wait is over.
    const holder = await store.createScan({ targets: { kind: "all" }, fleet: (await fleetOf(ctx.clients)).id });
    const a = await requestAction({ kind: "restart", instanceIds: ready }, LOCAL_ACTOR, ctx);
    let rediagnosing = false;
    const running = (async () => {
      for await (const e of runAction(a.actionId, ctx)) if (e.type === "rediagnosing") rediagnosing = true;
    })();
    while (!rediagnosing) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1500));
    await store.finishScan(holder.id, "completed");
    await running;
    const detail = await store.actions.detail(a.actionId);
    const outcomes = detail?.outcomes ?? [];
    expect(outcomes.map((o) => o.instanceId).sort()).toEqual([...ready].sort());
    for (const o of outcomes) expect(o.verdictAfter).toBe("healthy");
  }, 120_000);
});
