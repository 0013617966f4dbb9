import { z } from "zod";
import { autopilotApiContext, fleetOfBody } from "@/lib/autopilot/api-context.ts";
import { setKillSwitch } from "@/lib/autopilot/set-kill-switch.ts";
import { json, readJson } from "@/lib/http/respond.ts";
import { withActor } from "@/lib/http/with-actor.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** The page's kill switch, operator only: body `{engaged: boolean}`; 200 `{killSwitch}` as it now stands (logged). */
export const POST = withActor("operator", async (request, actor) => {
  const body = await readJson(request, z.unknown());
  return json({ killSwitch: await setKillSwitch(body, actor, await autopilotApiContext(fleetOfBody(body))) });
});
