import "server-only";
import { z } from "zod";
import type { Actor } from "../auth/roles.ts";
import { createClients } from "../aws/clients.ts";
import { fleetInView } from "../aws/fleet-in-view.ts";
import { config } from "../config.ts";
import { FleetDoctorError } from "../errors.ts";
import { clientsForFleet } from "../fleets/clients-for-fleet.ts";
import { FLEET_ID_MESSAGE, isFleetId } from "../fleets/fleet-ids.ts";
import { listFleets } from "../fleets/list-fleets.ts";
import { getStore } from "../store/index.ts";
import { exposureClients } from "./exposure-clients.ts";
import { GROUP_NAME } from "./fix-context.ts";

/** `<account>/<region>` as fleets are named (an account may be an endpoint's host when STS did not answer). */
export const FLEET_PARAM = z.string().max(300).refine(isFleetId, FLEET_ID_MESSAGE);

export const fleetQuery = z.object({ fleet: FLEET_PARAM.optional() });

/**
 * What the group routes read with: the asked fleet's clients (the fleet in view when none is asked; a fleet that is
 * not configured is a 404 naming `fleet`), the store, and the actor for the writes.
 */
export async function groupsApiContext(fleet: string | undefined, actor: Actor) {
  const store = getStore();
  const inView = await fleetInView();
  if (fleet === undefined || fleet === inView.id) {
    return { fleet: inView.id, clients: exposureClients(createClients(config())), store, actor };
  }
  const { targets } = await listFleets(config());
  const target = targets.find((t) => t.id === fleet);
  if (!target) throw new FleetDoctorError("NOT_FOUND", `No configured fleet ${fleet}`, { field: "fleet" });
  return {
    fleet: target.id,
    clients: exposureClients(clientsForFleet(target, config(), { user: actor.id })),
    store,
    actor,
  };
}

/** The `[name]` of a group route, percent-decoded once and checked. */
export async function groupParam(ctx: { params: Promise<{ name: string }> }): Promise<string> {
  const raw = (await ctx.params).name;
  let name = raw;
  try {
    name = decodeURIComponent(raw);
  } catch {
    throw new FleetDoctorError("BAD_REQUEST", "name: not a valid group name", { field: "name" });
  }
  const r = GROUP_NAME.safeParse(name);
  if (!r.success) throw new FleetDoctorError("BAD_REQUEST", "name: not a valid group name", { field: "name" });
  return r.data;
}
