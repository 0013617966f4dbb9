import type { Actor } from "../auth/roles.ts";
import type { Store } from "../store/interfaces.ts";
import { parseBody, policyRequestSchema } from "./requests.ts";
import type { Policy } from "./types.ts";

/** Sets one group's (or the fleet's default) policy as `actor`, its author; the store logs the change. */
export async function setPolicy(
  input: unknown,
  actor: Actor,
  ctx: { store: Store; fleet: string },
): Promise<{ policy: Policy; before: Policy | null }> {
  // The fleet is the context's (resolved from the request by the route), never the body's text.
  const { fleet: _named, ...req } = parseBody(policyRequestSchema, input);
  const policy: Policy = { fleet: ctx.fleet, ...req, author: actor.id, updatedAt: new Date().toISOString() };
  const before = await ctx.store.autopilot.setPolicy(policy, actor.id);
  return { policy, before: before ?? null };
}
