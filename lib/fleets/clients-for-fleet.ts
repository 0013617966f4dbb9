import "server-only";
import { type Clients, createClients } from "../aws/clients.ts";
import type { Config } from "../config.ts";
import type { FleetTarget } from "./types.ts";

/** The SDK clients that read one fleet: its region, and (with roles) the credentials of its assumed role chain. */
export function clientsForFleet(target: FleetTarget, config: Pick<Config, "maxAttempts">): Clients {
  if (target.roles.length > 0) throw new Error("assumed roles: not yet wired (issue 19)");
  return createClients({ region: target.region, maxAttempts: config.maxAttempts });
}
