import { fleetQuery, groupParam, groupsApiContext } from "@/lib/exposure/api-context.ts";
import { groupDetail } from "@/lib/exposure/group-detail.ts";
import { json, readQuery } from "@/lib/http/respond.ts";
import { withActor } from "@/lib/http/with-actor.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Ctx = { params: Promise<{ name: string }> };

/** One group: exposure, warm pool, instances by verdict, the fix (commands, diff, confirmation tokens) and its audit. */
export const GET = withActor("viewer", async (request, actor, ctx: Ctx) => {
  const name = await groupParam(ctx);
  const q = readQuery(request, fleetQuery);
  const c = await groupsApiContext(q.fleet, actor);
  return json(await groupDetail(c, c.fleet, name));
});
