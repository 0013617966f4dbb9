import type { AlertSink } from "../alerts/types.ts";
import type { Clients } from "../aws/clients.ts";
import { createClients } from "../aws/clients.ts";
import type { Config } from "../config.ts";
import { clientsForFleet } from "../fleets/clients-for-fleet.ts";
import { fleetOfTarget } from "../fleets/fleet-of-target.ts";
import type { FleetTarget } from "../fleets/types.ts";
import type { Store } from "../store/interfaces.ts";
import type { AfterScan } from "../watch/watch-fleet.ts";
import { AUTOPILOT_ACTOR } from "./context.ts";
import { reviewScan } from "./review-scan.ts";

/**
 * What the watcher does after each of its scans, wherever it runs (the server's leader, `fleet-doctor watch`):
 * autopilot's review of the scan, with its own clients of the scan's fleet (its assumed role, the session named
 * after the autopilot). The review returns once alerts are handed over and the restarts have started; their
 * verification goes on in the background (and the next review records any outcome a dead process left), so the
 * next look is never held up by a restart's wait.
 */
export function autopilotAfterScan(store: Store, c: Config, alerts: AlertSink): AfterScan {
  let fallback: Clients | undefined;
  const perFleet = new Map<string, Clients>();
  const clientsOf = (target: FleetTarget) => {
    const known = perFleet.get(target.id);
    if (known) return known;
    const clients = clientsForFleet(target, c, { user: AUTOPILOT_ACTOR.id });
    perFleet.set(target.id, clients);
    return clients;
  };
  return async (scanId, signal, target) => {
    if (!target) {
      fallback ??= createClients(c);
      await reviewScan(scanId, { store, clients: fallback, config: c, alerts, signal });
      return;
    }
    const fleet = fleetOfTarget(target);
    await reviewScan(scanId, { store, clients: clientsOf(target), clientsFleet: fleet, config: c, alerts, signal });
  };
}
