import { createClients } from "../aws/clients.ts";
import type { Config } from "../config.ts";
import type { Store } from "../store/interfaces.ts";
import { countCalls } from "./count-calls.ts";
import type { WatchContext } from "./watch-fleet.ts";

/**
 * What the watcher runs with in a process: the look's own clients (counted), other clients for its scans, the
 * store, and the watch config (the CLI may override its interval).
 */
export function watchContext(store: Store, c: Config, watch: Config["watch"] = c.watch): WatchContext {
  const clients = createClients(c);
  return {
    store,
    clients,
    callCounter: countCalls(clients),
    scan: { clients: createClients(c), config: c },
    config: watch,
  };
}
