import { z } from "zod";
import { autopilotApiContext } from "@/lib/autopilot/api-context.ts";
import { autopilotStatus } from "@/lib/autopilot/status.ts";
import { json, readQuery } from "@/lib/http/respond.ts";
import { withActor } from "@/lib/http/with-actor.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const query = z.object({ fleet: z.string().max(100).optional() });

/**
 * Autopilot in one fleet (`?fleet=<account>/<region>`, required when several are configured): `{fleet, killSwitch: {engaged, source?, by?, at?}, policies, breakers,
 * recent, groups}` (AutopilotStatus, newest entries first, and the groups the latest results know).
 */
export const GET = withActor("viewer", async (request) =>
  json(await autopilotStatus(await autopilotApiContext(readQuery(request, query).fleet))),
);
