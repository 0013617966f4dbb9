import { config } from "../config.ts";
import { clientsForFleet } from "../fleets/clients-for-fleet.ts";
import { listFleets } from "../fleets/list-fleets.ts";
import type { FleetTarget } from "../fleets/types.ts";
import { runAsLeader } from "../leader.ts";
import { getStore } from "../store/index.ts";
import { WATCHER_ACTOR } from "./probe.ts";
import { watchContext } from "./watch-context.ts";
import { type AfterScan, WATCHER } from "./watch-fleet.ts";
import { watchFleets } from "./watch-fleets.ts";

const KEY = Symbol.for("fleet-doctor.watcher-started");

/**
 * Starts the watcher in this server (once per process): it contends for the leader lease `watcher` with every other
 * replica and `fleet-doctor watch`, and runs the loop while it leads; another takes over when this one dies. Never
 * throws: a failure is logged and the server goes on without a watcher here.
 */
export function startWatcher(opts: { afterScan?: AfterScan; signal?: AbortSignal } = {}): void {
  const g = globalThis as { [KEY]?: boolean };
  if (g[KEY]) return;
  g[KEY] = true;
  try {
    const c = config();
    const store = getStore();
    void runAsLeader(
      store,
      WATCHER,
      async (signal) => {
        console.log(`[fleet-doctor] watcher: this replica leads it (lease owner ${store.owner})`);
        // Every fleet, read as this replica takes the lead: one loop per fleet, each with its own clients.
        const view = await listFleets(c);
        const contextFor = (t: FleetTarget) =>
          watchContext(
            store,
            c,
            c.watch,
            view.source === "default"
              ? undefined
              : { region: t.region, clients: clientsForFleet(t, c, { user: WATCHER_ACTOR }) },
          );
        return watchFleets(
          view,
          { store, config: c.watch, contextFor },
          { signal, ...(opts.afterScan ? { afterScan: opts.afterScan } : {}) },
        );
      },
      opts.signal ? { signal: opts.signal } : {},
    ).catch((e: unknown) => console.error("[fleet-doctor] the watcher stopped:", e));
  } catch (e) {
    console.error("[fleet-doctor] could not start the watcher:", e);
  }
}
