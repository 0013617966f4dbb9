import "server-only";
import { config } from "@/lib/config.ts";
import { type ConsoleFleet, consoleFleets, fleetsInScope } from "@/lib/fleets/console-fleets.ts";
import { selectedFleet } from "@/lib/fleets/fleet-ids.ts";
import { fleetReadErrors } from "@/lib/fleets/fleet-read-errors.ts";
import { type FleetsView, listFleets } from "@/lib/fleets/list-fleets.ts";
import { getStore } from "@/lib/store/index.ts";

// Every page renders the header's picker: the fleets (STS, the fleets file, Organizations) are read once a minute,
// not once per render. A failed read is not kept.
const TTL_MS = 60_000;
let cached: { key: string; at: number; view: Promise<FleetsView> } | undefined;

function configuredFleets(): Promise<FleetsView> {
  const c = config();
  // What the SDK and the file read now: a process that points itself elsewhere (tests) sees those fleets.
  const key = [c.fleetsFile, c.region, process.env.AWS_ENDPOINT_URL_STS, process.env.AWS_ENDPOINT_URL].join(" ");
  if (cached?.key === key && Date.now() - cached.at < TTL_MS) return cached.view;
  const view = listFleets(c);
  cached = { key, at: Date.now(), view };
  view.catch(() => {
    if (cached?.view === view) cached = undefined;
  });
  return view;
}

/** Every fleet the console lists: the configured ones (with their errors) and those only the store has results of. */
export async function loadFleets(): Promise<ConsoleFleet[]> {
  const store = getStore();
  const [view, inStore, readErrors] = await Promise.all([
    configuredFleets(),
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
