import { z } from "zod";
import { autopilotApiContext, fleetOfBody } from "@/lib/autopilot/api-context.ts";
import { resetBreaker } from "@/lib/autopilot/reset-breaker.ts";
import { json, readJson } from "@/lib/http/respond.ts";
import { withActor } from "@/lib/http/with-actor.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * Resets a group's tripped breaker, operator only: body `{group: string|null}` (null: the instances in no group).
 * 200 `{group, reset: true}`; 404 when that group's breaker is not tripped. The reset is logged.
 */
export const POST = withActor("operator", async (request, actor) => {
  const body = await readJson(request, z.unknown());
  return json(await resetBreaker(body, actor, await autopilotApiContext(fleetOfBody(body))));
});
