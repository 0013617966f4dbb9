import { type Fleet, fleetOf } from "../aws/fleet.ts";
import type { FleetTarget } from "./types.ts";

/**
 * The Fleet a target is, for what records a fleet (a scan, an action's probe): named by its account as configured,
 * never by asking STS with the default credentials (they would name the management account, not the member).
 */
export function fleetOfTarget(target: FleetTarget): Fleet {
  return fleetOf(target.account, target.region, /^\d{12}$/.test(target.account) ? "sts" : "endpoint");
}
