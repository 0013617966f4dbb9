import { type Clients, createClients } from "../aws/clients.ts";
import type { Config } from "../config.ts";
import type { Store } from "../store/interfaces.ts";
import { countCalls } from "./count-calls.ts";
import type { WatchContext } from "./watch-fleet.ts";

/**
 * What the watcher runs with in a process: the look's own clients (counted), other clients for its scans, the
 * store, and the watch config (the CLI may override its interval). With `fleetClients`, one fleet's clients (its
 * assumed role: lib/fleets/clientsForFleet, given by the caller so this module stays loadable outside the server);
 * without, the default credentials' (the one fleet).
 */
export function watchContext(
  store: Store,
  c: Config,
  watch: Config["watch"] = c.watch,
  fleetClients?: (user: string) => Clients,
): WatchContext {
  // Two sessions per fleet: a fleet's clients are cached per (fleet, user), and the look's clients count every call
  // that goes through them, so the probe scans must not share them.
  const clients = fleetClients ? fleetClients("watcher") : createClients(c);
  return {
    store,
    clients,
    callCounter: countCalls(clients),
    scan: { clients: fleetClients ? fleetClients("watcher-probe") : createClients(c), config: c },
    config: watch,
  };
}
