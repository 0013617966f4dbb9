import "server-only";
import { identifyFleet } from "../aws/fleet.ts";
import type { Config } from "../config.ts";
import type { FleetError, FleetTarget } from "./types.ts";

/** Every fleet Fleet Doctor reads, and those that could not be resolved (each reported for itself). */
export type FleetsView = { source: "default" | "file"; targets: FleetTarget[]; errors: FleetError[] };

/**
 * The fleets to read. Without a fleets file (FLEET_DOCTOR_FLEETS), the one fleet of the default credentials and
 * region, named by STS as before.
 */
export async function listFleets(config: Config): Promise<FleetsView> {
  const fleet = await identifyFleet(config);
  return {
    source: "default",
    targets: [{ id: fleet.id, account: fleet.account, region: fleet.region, roles: [] }],
    errors: [],
  };
}
