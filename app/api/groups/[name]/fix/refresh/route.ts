import { z } from "zod";
import { fleetQuery, groupParam, groupsApiContext } from "@/lib/exposure/api-context.ts";
import { startInstanceRefresh } from "@/lib/exposure/start-instance-refresh.ts";
import { json, readJson, readQuery } from "@/lib/http/respond.ts";
import { withActor } from "@/lib/http/with-actor.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Ctx = { params: Promise<{ name: string }> };

/** Starts an instance refresh once the group launches a safe version. Body `{confirm: true} | {token}`, optional `minHealthyPercentage`; 202 `{instanceRefreshId}`. Operator only, same origin, audited. */
export const POST = withActor("operator", async (request, actor, ctx: Ctx) => {
  const name = await groupParam(ctx);
  const q = readQuery(request, fleetQuery);
  const body = await readJson(request, z.unknown());
  const c = await groupsApiContext(q.fleet, actor);
  return json(await startInstanceRefresh(name, body, c), 202);
});
