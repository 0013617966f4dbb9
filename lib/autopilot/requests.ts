import { z } from "zod";
import { FleetDoctorError } from "../errors.ts";
import { AUTOPILOT_MODES } from "./types.ts";

/**
 * The bodies of the autopilot routes (client components may import this file: zod and constants only). Unknown
 * fields are refused, naming the field.
 */

/** An Auto Scaling group's name as AWS allows it (1-255 characters, no control characters). */
const groupName = z
  .string()
  .min(1, "a group name, or null for the fleet's default")
  .max(255)
  .regex(/^[^\p{Cc}]+$/u, "no control characters");

export const POLICY_DEFAULTS = { dryRun: false, maxRestartsPerHour: 20, breakerFailures: 3, breakerWindowMinutes: 15 };

/**
 * The fleet a request acts in (`<account>/<region>`): a group name is only unique inside one. Read by the route
 * (pickFleet: required when several fleets are configured); the verbs get it resolved, in their context.
 */
const fleetField = z.string().max(100).optional();

export const policyRequestSchema = z
  .object({
    fleet: fleetField,
    group: groupName.nullable(),
    mode: z.enum(AUTOPILOT_MODES),
    dryRun: z.boolean().default(POLICY_DEFAULTS.dryRun),
    maxRestartsPerHour: z.number().int().min(1).max(1000).default(POLICY_DEFAULTS.maxRestartsPerHour),
    breakerFailures: z.number().int().min(1).max(100).default(POLICY_DEFAULTS.breakerFailures),
    breakerWindowMinutes: z.number().int().min(1).max(1440).default(POLICY_DEFAULTS.breakerWindowMinutes),
  })
  .strict();
export type PolicyRequest = z.infer<typeof policyRequestSchema>;

export const killSwitchRequestSchema = z.object({ fleet: fleetField, engaged: z.boolean() }).strict();

/** `group: null` resets the breaker of the instances in no group. */
export const breakerResetRequestSchema = z.object({ fleet: fleetField, group: groupName.nullable() }).strict();

/**
 * Parses a body; an unknown field is a 400 naming it (zod alone would name the whole body), any other issue is
 * zod's own (the envelope names its field).
 */
export function parseBody<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const unknown = r.error.issues.find((i) => i.code === "unrecognized_keys");
  if (unknown && "keys" in unknown) {
    const field = String((unknown.keys as string[])[0]);
    throw new FleetDoctorError("BAD_REQUEST", `${field}: unknown field`, { field });
  }
  throw r.error;
}
