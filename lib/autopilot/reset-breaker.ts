import type { Actor } from "../auth/roles.ts";
import { FleetDoctorError } from "../errors.ts";
import type { Store } from "../store/interfaces.ts";
import { NO_GROUP } from "./context.ts";
import { breakerResetRequestSchema, parseBody } from "./requests.ts";

/** An operator's reset of a group's tripped breaker (logged): the group's automatic restarts may resume. */
export async function resetBreaker(
  input: unknown,
  actor: Actor,
  ctx: { store: Store; fleet: string },
): Promise<{ group: string | null; reset: true }> {
  const { group } = parseBody(breakerResetRequestSchema, input);
  if (!(await ctx.store.autopilot.resetBreaker(ctx.fleet, group ?? NO_GROUP, actor.id))) {
    throw new FleetDoctorError("NOT_FOUND", `No tripped breaker for ${group ?? "the instances in no group"}.`, {
      field: "group",
    });
  }
  return { group, reset: true };
}
