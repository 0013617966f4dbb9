import { loadInstance } from "@/app/_data/instance.ts";
import { FleetDoctorError } from "@/lib/errors.ts";
import { fleetQuery } from "@/lib/http/fleet-query.ts";
import { idParam } from "@/lib/http/ids.ts";
import { json } from "@/lib/http/respond.ts";
import { withActor } from "@/lib/http/with-actor.ts";
import { requireOneFleet } from "@/lib/instances/which-fleet.ts";
import { getStore } from "@/lib/store/index.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Ctx = { params: Promise<{ id: string }> };

/**
 * One instance as its detail page shows it (the split panel's read): parsed report, capped raw output, history.
 * `?fleet=` as GET /api/instances/:id takes it (an id in several fleets without it: 409 naming them).
 */
export const GET = withActor("viewer", async (request, _actor, ctx: Ctx) => {
  const id = await idParam("instance", ctx);
  const fleet = await requireOneFleet(getStore(), id, fleetQuery(request), "?fleet=<account>/<region>");
  const view = await loadInstance(id, request, fleet);
  if (!view) throw new FleetDoctorError("NOT_FOUND", `No result for instance ${id}`, { instanceId: id });
  return json({ view });
});
