import { z } from "zod";
import { fleetQuery, groupParam, groupsApiContext } from "@/lib/exposure/api-context.ts";
import { createFixedTemplateVersion } from "@/lib/exposure/create-fixed-template-version.ts";
import { json, readJson, readQuery } from "@/lib/http/respond.ts";
import { withActor } from "@/lib/http/with-actor.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Ctx = { params: Promise<{ name: string }> };

/** Creates the fixed launch template version (the preview's exact user data or image). Body `{confirm: true} | {token}`, optional `prefer: "check-off" | "image"`; 201 `{templateId, version, plan, pointToken, refreshToken}`. Operator only, same origin, audited. */
export const POST = withActor("operator", async (request, actor, ctx: Ctx) => {
  const name = await groupParam(ctx);
  const q = readQuery(request, fleetQuery);
  const body = await readJson(request, z.unknown());
  const c = await groupsApiContext(q.fleet, actor);
  return json(await createFixedTemplateVersion(name, body, c), 201);
});
