import { z } from "zod";
import { FLEET_ID } from "../aws/fleet-id.ts";
import { readQuery } from "./respond.ts";

const query = z.object({
  fleet: z.string().regex(FLEET_ID, "must be a fleet id, <account>/<region> (e.g. 111111111111/us-east-1)").optional(),
});

/** A by-instance route's `?fleet=<account>/<region>`: undefined when absent; a 400 naming `fleet` when malformed. */
export function fleetQuery(request: Request): string | undefined {
  return readQuery(request, query).fleet;
}
