import { FleetDoctorError } from "../errors.ts";
import { isFleetId } from "./fleet-ids.ts";
import type { FleetsView } from "./list-fleets.ts";
import type { FleetTarget } from "./types.ts";

/**
 * The fleet a request acts on (a restart, a policy), by the id it names in `field`. A group name or an instance id is
 * only unique inside one fleet, so with several fleets the request must name one; with a single fleet it may leave
 * the field out (the one fleet, as before fleets existed). A fleet that could not be entered is refused with its own
 * error, never mistaken for another. 400 naming `field` otherwise.
 */
export function pickFleet(requested: unknown, view: FleetsView, field = "fleet"): FleetTarget {
  if (requested === undefined || requested === null || requested === "") {
    if (view.targets.length === 1 && view.errors.length === 0) return view.targets[0]!;
    throw new FleetDoctorError(
      "BAD_REQUEST",
      `${field}: name the fleet (<account>/<region>): ${view.targets.length + view.errors.length} fleets are configured`,
      { field },
    );
  }
  // The one fleet of the default credentials may be named by its endpoint when there is no STS: it is matched as is.
  const known = typeof requested === "string" ? view.targets.find((t) => t.id === requested) : undefined;
  if (known) return known;
  if (typeof requested !== "string" || !isFleetId(requested)) {
    throw new FleetDoctorError(
      "BAD_REQUEST",
      `${field}: not a fleet id (<account>/<region>, e.g. 111111111111/us-east-1)`,
      { field },
    );
  }
  const failed = view.errors.find((e) => e.fleet === requested);
  if (failed) {
    throw new FleetDoctorError("UNPROCESSABLE", `${field}: fleet ${requested} cannot be reached: ${failed.message}`, {
      field,
      fleet: requested,
      code: failed.code,
    });
  }
  throw new FleetDoctorError("BAD_REQUEST", `${field}: ${requested} is not a fleet Fleet Doctor reads`, { field });
}
