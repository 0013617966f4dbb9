import { z } from "zod";
import { fleetQuery, groupParam, groupsApiContext } from "@/lib/exposure/api-context.ts";
import { pointGroupAtVersion } from "@/lib/exposure/point-group-at-version.ts";
import { json, readJson, readQuery } from "@/lib/http/respond.ts";
import { withActor } from "@/lib/http/with-actor.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Ctx = { params: Promise<{ name: string }> };

/** Points the group at a version of its template that reads as safe. Body `{version, confirm: true} | {version, token}`; 200. Operator only, same origin, audited. */
export const POST = withActor("operator", async (request, actor, ctx: Ctx) => {
  const name = await groupParam(ctx);
  const q = readQuery(request, fleetQuery);
  const body = await readJson(request, z.unknown());
  const c = await groupsApiContext(q.fleet, actor);
  return json(await pointGroupAtVersion(name, body, c), 200);
});
