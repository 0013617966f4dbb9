import type { AlertSink } from "../alerts/types.ts";
import { createClients } from "../aws/clients.ts";
import type { Config } from "../config.ts";
import type { Store } from "../store/interfaces.ts";
import type { AfterScan } from "../watch/watch-fleet.ts";
import { reviewScan } from "./review-scan.ts";

/**
 * What the watcher does after each of its scans, wherever it runs (the server's leader, `fleet-doctor watch`):
 * autopilot's review of the scan, with its own clients. The review returns once alerts are handed over and the
 * restarts have started; their verification goes on in the background (and the next review records any outcome a
 * dead process left), so the next look is never held up by a restart's wait.
 */
export function autopilotAfterScan(store: Store, c: Config, alerts: AlertSink): AfterScan {
  const clients = createClients(c);
  return async (scanId, signal) => {
    await reviewScan(scanId, { store, clients, config: c, alerts, signal });
  };
}
