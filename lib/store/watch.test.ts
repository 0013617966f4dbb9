import { describe, expect, it } from "vitest";
import { storeEngines } from "../../test/helpers/store-engines.ts";
import type { InstanceResult } from "../scan/types.ts";
import type { StoredWatchState } from "./interfaces.ts";

/** The watcher's store verbs (watch_state, latestSeen) on both engines: one database, two stores (two replicas). */
const engines = storeEngines();

const state: StoredWatchState = {
  intervalSeconds: 30,
  lastLook: {
    at: "2026-12-06T08:00:00.000Z",
    durationMs: 120,
    calls: 4,
    seen: 3,
    found: { new: 1, changed: 1, stale: 0, transitional: 0 },
    scanId: "s-1",
    verdicts: { healthy: 2 },
  },
  nextLookAt: "2026-12-06T08:00:30.000Z",
  fullScan: { cron: "0 */6 * * *", nextAt: "2026-12-06T12:00:00.000Z" },
};

function result(scanId: string, instanceId: string, extra: Partial<InstanceResult> = {}): InstanceResult {
  return {
    scanId,
    instanceId,
    target: { instanceId, pingStatus: "ConnectionLost", group: "web", lifecycleState: "Warmed:Running" },
    outcome: { status: "Success", output: "{}", truncated: false, responseCode: 0 },
    diagnosis: { verdict: "waiting", summary: "waits", evidence: [], remedies: [], restartWillWork: false },
    verdict: "waiting",
    probedAt: "2026-12-06T07:59:00.000Z",
    ...extra,
  };
}

describe.each(engines)("watch store on $name", (e) => {
  it("stores the watcher's state where another replica reads it, replacing it each turn", async () => {
    const where = await e.fresh();
    const leader = await e.open(where);
    const other = await e.open(where);
    expect(await other.watchState("watcher")).toBeUndefined();
    await leader.saveWatchState("watcher", state);
    expect(await other.watchState("watcher")).toEqual(state);
    const behind = { ...state, behind: { since: "a", reason: "ThrottlingException", retryAt: "b" } };
    await leader.saveWatchState("watcher", behind);
    expect(await other.watchState("watcher")).toEqual(behind);
    expect(await other.watchState("another")).toBeUndefined();
  });

  it("reads the latest result of every instance with what the plan compares", async () => {
    const s = await e.open(await e.fresh());
    const scan = await s.createScan({ targets: { kind: "all" } });
    await s.saveResult(result(scan.id, "i-1"), "");
    await s.saveResult(
      result(scan.id, "i-2", {
        target: { instanceId: "i-2", pingStatus: "Online" },
        verdict: "healthy",
        ecs: { registered: true, clustersSearched: 1 },
        probedAt: "2026-12-06T07:58:00.000Z",
      }),
      "",
    );
    const rows = (await s.latestSeen()).sort((a, b) => a.instanceId.localeCompare(b.instanceId));
    expect(rows).toEqual([
      {
        instanceId: "i-1",
        verdict: "waiting",
        pingStatus: "ConnectionLost",
        lifecycleState: "Warmed:Running",
        probedAt: "2026-12-06T07:59:00.000Z",
      },
      {
        instanceId: "i-2",
        verdict: "healthy",
        pingStatus: "Online",
        registered: true,
        probedAt: "2026-12-06T07:58:00.000Z",
      },
    ]);
  });
});
