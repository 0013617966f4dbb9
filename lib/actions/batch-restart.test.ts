/**
 * Restarts of `lifecycle-404:ready` instances go together (issue 13, item 6): they run no tasks, so one SendCommand
 * per batch of up to 50 with MaxConcurrency of the batch, instead of a 10 % canary that restarts them one at a time.
 * Any other verdict, or a forced restart, keeps the canary. Counted on the simulator's own call log.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator } from "../../sim/main.ts";
import { restartSends, simEnv } from "../../test/helpers/sim.ts";
import { LOCAL_ACTOR } from "../auth/roles.ts";
import { createClients } from "../aws/clients.ts";
import { parseConfig } from "../config.ts";
import { runScan } from "../scan/run-scan.ts";
import { openStore, type Store } from "../store/store.ts";
import { actionStore } from "./action-store.ts";
import { requestAction } from "./request-action.ts";
import { type ActionContext, runAction } from "./run-action.ts";

let sim: Awaited<ReturnType<typeof startSimulator>>;
let dir: string;
let store: Store;
let ctx: ActionContext & { config: ReturnType<typeof parseConfig> };

beforeAll(async () => {
  sim = await startSimulator({ scenario: "demo", exec: "model" });
  Object.assign(process.env, simEnv(sim.url));
  dir = mkdtempSync(path.join(tmpdir(), "fd-batch-restart-"));
  store = openStore(path.join(dir, "a.db"));
  const config = parseConfig({ ...process.env, FLEET_DOCTOR_RESTART_WAIT: "20" });
  ctx = { clients: createClients(config), store, config, pollMs: 300 };
  for await (const _ of runScan(
    { kind: "all" },
    { ...ctx, tuning: { firstPollMs: 200, minPollMs: 200, maxPollMs: 500 } },
  )) {
    // stored
  }
}, 120_000);

afterAll(async () => {
  store?.close();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

const latest = () => store.latestResults({ limit: 1000 }).items;
const readyIds = () =>
  latest()
    .filter((r) => r.verdict === "lifecycle-404:ready")
    .map((r) => r.instanceId);

describe("restarting lifecycle-404:ready instances", () => {
  it("sends one command for the batch with MaxConcurrency of the batch", async () => {
    const ready = readyIds();
    expect(ready.length).toBeGreaterThan(2);
    const a = requestAction({ kind: "restart", instanceIds: ready }, LOCAL_ACTOR, ctx);
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

  it("keeps the canary for a forced restart", () => {
    const others = latest()
      .filter((r) => r.verdict === "lifecycle-404:blocked" && r.pingStatus === "Online")
      .map((r) => r.instanceId)
      .slice(0, 12);
    expect(others.length).toBeGreaterThan(1);
    const a = requestAction(
      { kind: "restart", instanceIds: others, force: true, reason: "checking the canary stays" },
      LOCAL_ACTOR,
      ctx,
    );
    expect(a.accepted.length).toBe(others.length);
    // 10 % of the targets, at least one: the first batch is a canary.
    expect(actionStore(store).detail(a.actionId)?.maxConcurrency).toBe(Math.ceil(others.length / 10));
  });
});
