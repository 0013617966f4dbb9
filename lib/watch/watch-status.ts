import type { Config } from "../config.ts";
import type { LeaderStore, WatchStore } from "../store/interfaces.ts";
import type { WatchStatus } from "./types.ts";
import { WATCHER } from "./watcher-name.ts";

/**
 * The watcher's status as any replica sees it: whether it is on here, who leads it now (the lease), and what the
 * leader stored after its last turn.
 */
export async function watchStatus(store: LeaderStore & WatchStore, c: Pick<Config, "watch">): Promise<WatchStatus> {
  const [stored, leader] = await Promise.all([store.watchState(WATCHER), store.leaderOf(WATCHER)]);
  return {
    ...stored,
    enabled: c.watch.enabled,
    intervalSeconds: stored?.intervalSeconds ?? c.watch.intervalSeconds,
    leader: leader ? { owner: leader.owner, expiresAt: new Date(leader.expiresAt).toISOString() } : null,
    fullScan: stored?.fullScan ?? (c.watch.fullScanCron ? { cron: c.watch.fullScanCron } : {}),
  };
}
