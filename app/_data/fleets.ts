import "server-only";
import { config } from "@/lib/config.ts";
import { type ConsoleFleet, consoleFleets, fleetsInScope } from "@/lib/fleets/console-fleets.ts";
import { selectedFleet } from "@/lib/fleets/fleet-ids.ts";
import { fleetReadErrors } from "@/lib/fleets/fleet-read-errors.ts";
import { listFleets } from "@/lib/fleets/list-fleets.ts";
import { getStore } from "@/lib/store/index.ts";

/** Every fleet the console lists: the configured ones (with their errors) and those only the store has results of. */
export async function loadFleets(): Promise<ConsoleFleet[]> {
  const store = getStore();
  const [view, inStore, readErrors] = await Promise.all([
    // listFleets keeps what it resolved (the default fleet once per process, a fleets file a minute).
    listFleets(config()),
    store.fleetsInStore(),
    fleetReadErrors(store),
  ]);
  return consoleFleets(view, inStore, readErrors);
}

/** What a page or route shows: the fleet picked (`?fleet=`; undefined for every fleet) and the fleets it covers. */
export type FleetView = { picked?: string; ids: string[]; fleets: ConsoleFleet[] };

export async function fleetView(param: string | string[] | null | undefined): Promise<FleetView> {
  const picked = selectedFleet(param);
  const fleets = await loadFleets();
  return { ...(picked ? { picked } : {}), ids: fleetsInScope(fleets, picked), fleets };
}
