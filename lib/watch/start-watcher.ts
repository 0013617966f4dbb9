import { config } from "../config.ts";
import { runAsLeader } from "../leader.ts";
import { getStore } from "../store/index.ts";
import { watchContext } from "./watch-context.ts";
import { type AfterScan, WATCHER, watchFleet } from "./watch-fleet.ts";

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
    const ctx = watchContext(store, c);
    void runAsLeader(
      store,
      WATCHER,
      (signal) => {
        console.log(`[fleet-doctor] watcher: this replica leads it (lease owner ${store.owner})`);
        return watchFleet(ctx, { signal, ...(opts.afterScan ? { afterScan: opts.afterScan } : {}) });
      },
      opts.signal ? { signal: opts.signal } : {},
    ).catch((e: unknown) => console.error("[fleet-doctor] the watcher stopped:", e));
  } catch (e) {
    console.error("[fleet-doctor] could not start the watcher:", e);
  }
}
