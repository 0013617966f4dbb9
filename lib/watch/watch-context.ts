import { type Clients, createClients } from "../aws/clients.ts";
import type { Config } from "../config.ts";
import type { Store } from "../store/interfaces.ts";
import { countCalls } from "./count-calls.ts";
import type { WatchContext } from "./watch-fleet.ts";

/**
 * What the watcher runs with in a process: the look's own clients (counted), other clients for its scans, the
 * store, and the watch config (the CLI may override its interval). With `fleet`, clients of that fleet's region
 * with the credentials of its clients (clientsForFleet: its assumed role); without, the default credentials' (the
 * one fleet).
 */
export function watchContext(
  store: Store,
  c: Config,
  watch: Config["watch"] = c.watch,
  fleet?: { region: string; clients: Clients },
): WatchContext {
  // Fresh clients, never the fleet's shared ones: the look's count every call through them, and a probe scan's
  // throttling is its own; the credentials (and their refresh) are the fleet's.
  const fresh = () =>
    fleet
      ? createClients({ region: fleet.region, maxAttempts: c.maxAttempts }, fleet.clients.ssm.config.credentials)
      : createClients(c);
  const clients = fresh();
  return {
    store,
    clients,
    callCounter: countCalls(clients),
    scan: { clients: fresh(), config: c },
    config: watch,
  };
}
