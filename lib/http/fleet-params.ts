import { z } from "zod";
import { ALL_FLEETS, isAccountId, isFleetId, isRegionName } from "../fleets/fleet-ids.ts";

/**
 * The fleet parameters of the API's listings, for zod query schemas: a malformed value is a 400 naming the parameter
 * (lib/http/respond.ts), never a listing of nothing.
 */

const FLEET_MESSAGE = "expected <account>/<region> (e.g. 111111111111/us-east-1)";

/** `?fleet=a/r&fleet=b/r` or `?fleet=a/r,b/r`: several fleets (at most 100); `all` (or nothing) means every fleet. */
export const fleetListParam = z
  .union([z.string(), z.array(z.string())])
  .transform((v) =>
    (Array.isArray(v) ? v : [v])
      .flatMap((s) => s.split(","))
      .map((s) => s.trim())
      .filter((s) => s && s !== ALL_FLEETS),
  )
  .pipe(z.array(z.string().max(300).refine(isFleetId, FLEET_MESSAGE)).max(100))
  .optional();

/** The picker's one fleet, or `all` (every fleet). */
export const pickedFleetParam = z
  .string()
  .max(300)
  .refine((s) => s === ALL_FLEETS || isFleetId(s), `${FLEET_MESSAGE}, or ${ALL_FLEETS}`)
  .optional();

export const accountParam = z.string().refine(isAccountId, "expected a 12-digit account id").optional();
export const regionParam = z.string().max(40).refine(isRegionName, "expected a region such as us-east-1").optional();
