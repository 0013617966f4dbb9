import { autopilotApiContext } from "@/lib/autopilot/api-context.ts";
import { autopilotStatus } from "@/lib/autopilot/status.ts";
import { json } from "@/lib/http/respond.ts";
import { withActor } from "@/lib/http/with-actor.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * Autopilot in the fleet the server reads: `{fleet, killSwitch: {engaged, source?, by?, at?}, policies, breakers,
 * recent, groups}` (AutopilotStatus, newest entries first, and the groups the latest results know).
 */
export const GET = withActor("viewer", async () => json(await autopilotStatus(await autopilotApiContext())));
