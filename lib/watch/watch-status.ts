import type { Config } from "../config.ts";
import type { LeaderStore, StoredWatchState, WatchStore } from "../store/interfaces.ts";
import type { FleetWatch, WatchStatus } from "./types.ts";
import { fleetWatcherName, WATCHER } from "./watcher-name.ts";

/**
 * The watcher's status as any replica sees it: whether it is on here, who leads it now (the lease), and what the
 * leader stored after its last turn. With several fleets, `fleets` holds each fleet's state (its last look, whether it
 * is behind, its error), and `lastLook` / `nextLookAt` are the newest look and the next one due of any fleet.
 */
export async function watchStatus(store: LeaderStore & WatchStore, c: Pick<Config, "watch">): Promise<WatchStatus> {
  const [stored, leader] = await Promise.all([store.watchState(WATCHER), store.leaderOf(WATCHER)]);
  const fleets = stored?.fleets ? await fleetStates(store, stored.fleets) : undefined;
  const looks = fleets?.flatMap((f) => (f.lastLook ? [f.lastLook] : [])) ?? [];
  const next = fleets?.flatMap((f) => (f.nextLookAt ? [f.nextLookAt] : [])).sort()[0];
  return {
    ...stored,
    ...(looks.length > 0 ? { lastLook: looks.reduce((a, b) => (b.at > a.at ? b : a)) } : {}),
    ...(next ? { nextLookAt: next } : {}),
    enabled: c.watch.enabled,
    intervalSeconds: stored?.intervalSeconds ?? c.watch.intervalSeconds,
    leader: leader ? { owner: leader.owner, expiresAt: new Date(leader.expiresAt).toISOString() } : null,
    fullScan: stored?.fullScan ?? (c.watch.fullScanCron ? { cron: c.watch.fullScanCron } : {}),
    ...(fleets ? { fleets } : {}),
  };
}

/** Each listed fleet with the state its loop stored (a fleet that could not be resolved keeps its error). */
async function fleetStates(store: WatchStore, listed: FleetWatch[]): Promise<FleetWatch[]> {
  return Promise.all(
    listed.map(async (f): Promise<FleetWatch> => {
      if (f.error && !f.lastLook) return f;
      const s: StoredWatchState | undefined = await store.watchState(fleetWatcherName(f.fleet));
      return {
        fleet: f.fleet,
        ...(f.name ? { name: f.name } : {}),
        ...(s?.lastLook ? { lastLook: s.lastLook } : {}),
        ...(s?.nextLookAt ? { nextLookAt: s.nextLookAt } : {}),
        ...(s?.behind ? { behind: s.behind } : {}),
        ...(s?.error ? { error: s.error } : {}),
        ...(s?.fullScan ? { fullScan: s.fullScan } : {}),
      };
    }),
  );
}
