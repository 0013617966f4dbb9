import { config } from "../config.ts";
import { listFleets } from "../fleets/list-fleets.ts";
import { pickFleet } from "../fleets/pick-fleet.ts";
import { getStore } from "../store/index.ts";

/**
 * What the autopilot routes act on: this process's store and config, and the fleet the request names (`fleet` in
 * the body or the query; required when several fleets are configured, else the one fleet). Policies, breakers and
 * the log are per fleet: a group name is only unique inside one.
 */
export async function autopilotApiContext(requested?: unknown) {
  const c = config();
  return { store: getStore(), config: c, fleet: pickFleet(requested, await listFleets(c)).id };
}

/** The `fleet` a JSON body names, read loosely (the verb's schema validates the body). */
export const fleetOfBody = (body: unknown): unknown => (body as { fleet?: unknown } | null)?.fleet;
