import { FleetDoctorError } from "../errors.ts";
import type { Store } from "../store/interfaces.ts";

/** Which fleet's instance an id names: one (its fleet, absent for a result from before fleets were recorded), several, or none. */
export type FleetChoice = { kind: "one"; fleet?: string } | { kind: "several"; fleets: string[] } | { kind: "none" };

/**
 * An instance id is only unique inside one fleet. With `fleet`, the instance of that fleet (or none); without it,
 * the only fleet that has the id, or `several` (newest result first) so that nobody is shown the wrong one.
 */
export async function whichFleet(
  store: Pick<Store, "instanceFleets">,
  instanceId: string,
  fleet?: string,
): Promise<FleetChoice> {
  const fleets = await store.instanceFleets(instanceId);
  if (fleet !== undefined) {
    // A result from before fleets were recorded ('') is the instance of the fleet asked for.
    return fleets.includes(fleet) || fleets.includes("") ? { kind: "one", fleet } : { kind: "none" };
  }
  if (fleets.length === 0) return { kind: "none" };
  if (fleets.length === 1) return fleets[0] ? { kind: "one", fleet: fleets[0] } : { kind: "one" };
  return { kind: "several", fleets };
}

/**
 * The fleet of the one instance the id names, for a route or the CLI: NOT_FOUND when there is none, CONFLICT naming
 * the fleets (`details.fleets`) when the id is in several and no fleet was given. `how` says how to name one.
 */
export async function requireOneFleet(
  store: Pick<Store, "instanceFleets">,
  instanceId: string,
  fleet: string | undefined,
  how: string,
): Promise<string | undefined> {
  const choice = await whichFleet(store, instanceId, fleet);
  if (choice.kind === "none") {
    const where = fleet ? ` in fleet ${fleet}` : "";
    throw new FleetDoctorError("NOT_FOUND", `No result for instance ${instanceId}${where}`, {
      instanceId,
      ...(fleet ? { fleet } : {}),
    });
  }
  if (choice.kind === "several") {
    throw new FleetDoctorError(
      "CONFLICT",
      `Instance ${instanceId} is in several fleets (${choice.fleets.join(", ")}): name one with ${how}`,
      { instanceId, field: "fleet", fleets: choice.fleets },
    );
  }
  return choice.fleet;
}
