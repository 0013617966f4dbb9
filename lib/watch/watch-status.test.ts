import { afterEach, describe, expect, it } from "vitest";
import { openStore, type Store } from "../store/store.ts";
import { watchStatus } from "./watch-status.ts";
import { fleetWatcherName, WATCHER } from "./watcher-name.ts";

const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});
const watch = { enabled: true, intervalSeconds: 30, staleSeconds: 3600, fullScanCron: "0 */6 * * *" };

describe("watchStatus", () => {
  it("answers before any look: on, no leader, the configured interval and schedule", async () => {
    const s = openStore(":memory:");
    stores.push(s);
    expect(await watchStatus(s, { watch })).toEqual({
      enabled: true,
      intervalSeconds: 30,
      leader: null,
      fullScan: { cron: "0 */6 * * *" },
    });
  });

  it("names the leader from its lease and shows what the leader stored (its own interval)", async () => {
    const s = openStore(":memory:");
    stores.push(s);
    expect(await s.claimLeadership(WATCHER)).toBe(true);
    const lastLook = {
      at: "2026-12-06T08:00:00.000Z",
      durationMs: 90,
      calls: 5,
      seen: 9,
      found: { new: 0, changed: 1, stale: 0, transitional: 0 },
      scanId: "s",
      verdicts: { "lifecycle-404:ready": 1 },
    };
    await s.saveWatchState(WATCHER, { intervalSeconds: 2, lastLook, fullScan: {} });
    const status = await watchStatus(s, { watch: { ...watch, enabled: false } });
    expect(status).toMatchObject({ enabled: false, intervalSeconds: 2, lastLook, fullScan: {} });
    expect(status.leader?.owner).toBe(s.owner);
    expect(Date.parse(status.leader!.expiresAt)).toBeGreaterThan(Date.now());
  });

  it("with several fleets, lists each fleet's state (a denied one with its error) and the newest look of any", async () => {
    const s = openStore(":memory:");
    stores.push(s);
    const look = (at: string, scanId: string) => ({
      at,
      durationMs: 50,
      calls: 3,
      seen: 4,
      found: { new: 1, changed: 0, stale: 0, transitional: 0 },
      scanId,
    });
    await s.saveWatchState(WATCHER, {
      intervalSeconds: 30,
      fullScan: {},
      fleets: [
        { fleet: "111111111111/us-east-1", name: "prod" },
        { fleet: "222222222222/us-east-1" },
        { fleet: "444444444444/eu-west-1", error: { code: "OrganizationsError", message: "not listed" } },
      ],
    });
    await s.saveWatchState(fleetWatcherName("111111111111/us-east-1"), {
      intervalSeconds: 30,
      lastLook: look("2026-12-06T08:00:00.000Z", "a"),
      nextLookAt: "2026-12-06T08:00:30.000Z",
      fullScan: {},
    });
    await s.saveWatchState(fleetWatcherName("222222222222/us-east-1"), {
      intervalSeconds: 30,
      lastLook: look("2026-12-06T08:00:10.000Z", "b"),
      nextLookAt: "2026-12-06T08:00:20.000Z",
      behind: { since: "2026-12-06T08:00:10.000Z", reason: "AccessDenied: no", retryAt: "2026-12-06T08:00:20.000Z" },
      error: { code: "AccessDenied", message: "no" },
      fullScan: {},
    });
    const status = await watchStatus(s, { watch });
    expect(status.fleets).toEqual([
      {
        fleet: "111111111111/us-east-1",
        name: "prod",
        lastLook: look("2026-12-06T08:00:00.000Z", "a"),
        nextLookAt: "2026-12-06T08:00:30.000Z",
        fullScan: {},
      },
      {
        fleet: "222222222222/us-east-1",
        lastLook: look("2026-12-06T08:00:10.000Z", "b"),
        nextLookAt: "2026-12-06T08:00:20.000Z",
        behind: { since: "2026-12-06T08:00:10.000Z", reason: "AccessDenied: no", retryAt: "2026-12-06T08:00:20.000Z" },
        error: { code: "AccessDenied", message: "no" },
        fullScan: {},
      },
      { fleet: "444444444444/eu-west-1", error: { code: "OrganizationsError", message: "not listed" } },
    ]);
    expect(status.lastLook?.scanId).toBe("b");
    expect(status.nextLookAt).toBe("2026-12-06T08:00:20.000Z");
  });
});
