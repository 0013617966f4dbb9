import { fleetQuery, groupsApiContext } from "@/lib/exposure/api-context.ts";
import { groupExposures } from "@/lib/exposure/group-exposures.ts";
import { json, readQuery } from "@/lib/http/respond.ts";
import { withActor } from "@/lib/http/with-actor.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** Every Auto Scaling group of a fleet (`?fleet=`, default the fleet in view) with its exposure and evidence. */
export const GET = withActor("viewer", async (request, actor) => {
  const q = readQuery(request, fleetQuery);
  const ctx = await groupsApiContext(q.fleet, actor);
  return json({ fleet: ctx.fleet, groups: await groupExposures(ctx, ctx.fleet) });
});
