import { z } from "zod";
import { autopilotApiContext, fleetOfBody } from "@/lib/autopilot/api-context.ts";
import { setPolicy } from "@/lib/autopilot/set-policy.ts";
import { json, readJson } from "@/lib/http/respond.ts";
import { withActor } from "@/lib/http/with-actor.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * Sets a group's policy (`group: null`: the fleet's default), operator only, the operator recorded as its author:
 * body `{fleet?: "<account>/<region>" (required with several fleets), group: string|null, mode: "off"|"notify"|"restart", dryRun?, maxRestartsPerHour?, breakerFailures?,
 * breakerWindowMinutes?}`, unknown fields refused. 200 `{policy, before}`; the change is logged.
 */
export const PUT = withActor("operator", async (request, actor) => {
  const body = await readJson(request, z.unknown());
  return json(await setPolicy(body, actor, await autopilotApiContext(fleetOfBody(body))));
});
