import type { Fleet } from "../aws/fleet.ts";
import type { Config } from "../config.ts";
import { fleetOfTarget } from "../fleets/fleet-of-target.ts";
import type { FleetsView } from "../fleets/list-fleets.ts";
import type { FleetTarget } from "../fleets/types.ts";
import type { Store, StoredWatchState } from "../store/interfaces.ts";
import type { FleetWatch } from "./types.ts";
import { type WatchContext, type WatchOptions, watchFleet } from "./watch-fleet.ts";
import { WATCHER } from "./watcher-name.ts";

/**
 * The watcher over every fleet, run by the one leader (runAsLeader "watcher"). With the one fleet of the default
 * credentials it is watchFleet as before (its state under `watcher`). With a fleets file, one loop per fleet, side by
 * side: each with its own clients, its own look per interval, its own backoff and its own state (`watcher:<fleet>`),
 * so one fleet that is throttled or whose role cannot be assumed is behind (with its error) while the others go on.
 * The state under `watcher` then lists the fleets (and those that could not be resolved, each with its error).
 * Returns when `opts.signal` aborts.
 */
export async function watchFleets(
  view: FleetsView,
  base: { store: Store; config: Config["watch"]; contextFor: (target: FleetTarget) => WatchContext },
  opts: WatchOptions,
): Promise<void> {
  const { store, config } = base;
  if (view.source === "default" && view.targets.length === 1 && view.errors.length === 0) {
    return watchFleet(base.contextFor(view.targets[0]!), opts);
  }
  const fleets: FleetWatch[] = [
    ...view.targets.map((t) => ({ fleet: t.id, ...(t.name ? { name: t.name } : {}) })),
    ...view.errors.map((e) => ({ fleet: e.fleet, error: { code: e.code, message: e.message.slice(0, 300) } })),
  ];
  const index: StoredWatchState = {
    intervalSeconds: config.intervalSeconds,
    fullScan: config.fullScanCron ? { cron: config.fullScanCron } : {},
    fleets,
  };
  await store.saveWatchState(WATCHER, index).catch((e: Error) => {
    console.error("[fleet-doctor] watcher: could not store its fleets:", e.message);
  });
  const { afterScan, onTurn } = opts;
  await Promise.all(
    view.targets.map((target) =>
      watchFleet(withFleet(base.contextFor(target), fleetOfTarget(target)), {
        ...opts,
        // Autopilot reviews each scan with the clients of the scan's own fleet.
        ...(afterScan ? { afterScan: (scanId, signal) => afterScan(scanId, signal, target) } : {}),
        ...(onTurn ? { onTurn: (turn) => onTurn({ ...turn, fleet: target.id }) } : {}),
      }).catch((e: unknown) => {
        // A loop ends only when the signal aborts; anything else is this fleet's alone.
        console.error(`[fleet-doctor] watcher: the loop of fleet ${target.id} stopped:`, e);
      }),
    ),
  );
}

/** A fleet's context: its probes stored under it, its plan reading its results, its state under its own name. */
function withFleet(ctx: WatchContext, fleet: Fleet): WatchContext {
  return { ...ctx, fleet, scan: { ...ctx.scan, fleet } };
}
