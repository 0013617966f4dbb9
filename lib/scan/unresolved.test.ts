/**
 * No silent partial scans (issue 13, item 2). A probe SSM has not ended by the scan's own deadline (delivery timeout
 * plus execution timeout) is recorded as unresolved, with SSM's last status and how long the scan waited, never as
 * "not probed yet"; the scan then ends `partial` with the count. An id SSM does not manage says so.
 *
 * The slow host has a delivery latency of 3 s and a probe that hangs (the simulator kills it at the execution
 * timeout, 4 s after delivery), so it is InProgress from 3 s to 7 s; the scan's deadline is 1 + 4 = 5 s after it sent.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSimulator } from "../../sim/main.ts";
import { scanToEnd, simScanContext } from "../../test/helpers/scan-context.ts";
import { simEnv } from "../../test/helpers/sim.ts";
import { openStore, type Store } from "../store/store.ts";
import type { Targets } from "./types.ts";

const FAST = "i-0b000000000000001";
const SLOW = "i-0b000000000000002";
const UNMANAGED = "i-0b0000000000000ff";

const host = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  agentVersion: "1.91.1",
  launchedAgo: "3h",
  ecsConfig: { ECS_CLUSTER: "web" },
  ...extra,
});

let sim: { url: string; close(): Promise<void> };
let store: Store;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, scenario: "small", exec: "model" });
  const res = await fetch(`${sim.url}/_sim/scenario`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      scenario: {
        name: "slow",
        hosts: [host(FAST, { latencyMs: 100 }), host(SLOW, { latencyMs: 3000, scripts: "hang" })],
      },
    }),
  });
  if (!res.ok) throw new Error(await res.text());
  Object.assign(process.env, simEnv(sim.url));
}, 60_000);

afterAll(async () => {
  store?.close();
  await sim?.close();
});

beforeEach(() => {
  store?.close();
  store = openStore(":memory:");
});

async function scan(targets: Targets) {
  const ctx = simScanContext(store, {
    config: { sendRate: 20, pollRate: 50, deliveryTimeoutSeconds: 1, probeTimeoutSeconds: 4, joinGraceSeconds: 300 },
    tuning: { firstPollMs: 300, minPollMs: 250, maxPollMs: 1000, graceMs: 0 },
  });
  return scanToEnd(targets, ctx);
}

describe("a probe still running at the scan's deadline", () => {
  it("is recorded unresolved with SSM's last status and the wait, and the scan ends partial", async () => {
    const { events, results, scanId } = await scan({ kind: "all" });
    expect(results.get(FAST)?.verdict).toBe("healthy");
    const slow = results.get(SLOW)!;
    expect(slow.outcome).toMatchObject({ status: "InProgress", statusDetails: "Unresolved" });
    expect(slow.outcome.waitedSeconds).toBeGreaterThanOrEqual(5);
    expect(slow.verdict).toBe("unknown");
    expect(slow.diagnosis.summary).toMatch(/^Unresolved: .*InProgress.* after \d+ s/);
    expect(slow.diagnosis.summary).not.toMatch(/not been probed/);
    expect(events.at(-1)).toMatchObject({ type: "scan-finished", status: "partial", unresolved: 1 });
    expect(await store.getScan(scanId)).toMatchObject({ status: "partial", done: 2, total: 2 });
    expect((await store.getScan(scanId))?.error).toMatch(/^1 unresolved/);
  }, 30_000);
});

describe("an id SSM does not manage", () => {
  it("is reported as not managed by SSM, and the scan is not partial for it", async () => {
    const { events, results } = await scan({ kind: "ids", ids: [FAST, UNMANAGED] });
    const r = results.get(UNMANAGED)!;
    expect(r.outcome).toMatchObject({ status: "NotSent", statusDetails: "NotManaged" });
    expect(r.diagnosis.summary).toMatch(/^Not managed by SSM/);
    expect(r.diagnosis.summary).not.toMatch(/not been probed/);
    expect(
      events.filter((e) => e.type === "batch-sent").flatMap((e) => (e as { instanceIds: string[] }).instanceIds),
    ).toEqual([FAST]);
    expect(events.at(-1)).toMatchObject({ type: "scan-finished", status: "completed" });
  }, 30_000);
});
