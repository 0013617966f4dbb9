import { z } from "zod";
import { FLEET_ID_MESSAGE, isFleetId } from "../fleets/fleet-ids.ts";
import { readQuery } from "./respond.ts";

const query = z.object({
  fleet: z.string().refine(isFleetId, FLEET_ID_MESSAGE).optional(),
});

/** A by-instance route's `?fleet=<account>/<region>`: undefined when absent; a 400 naming `fleet` when malformed. */
export function fleetQuery(request: Request): string | undefined {
  return readQuery(request, query).fleet;
}
