import { afterEach, describe, expect, it } from "vitest";
import { openStore, type Store } from "../store/store.ts";
import { watchStatus } from "./watch-status.ts";
import { WATCHER } from "./watcher-name.ts";

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
});
