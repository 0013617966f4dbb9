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
 * One instance: its latest result (diagnosis, evidence, raw probe output) and its history, newest first.
 * `?fleet=<account>/<region>` names the fleet; without it, an id found in several fleets is a 409 naming them
 * (`details.fleets`), so that a script never reads another account's instance.
 */
export const GET = withActor("viewer", async (request, _actor, ctx: Ctx) => {
  const id = await idParam("instance", ctx);
  const store = getStore();
  const fleet = await requireOneFleet(store, id, fleetQuery(request), "?fleet=<account>/<region>");
  const [latest, history] = await Promise.all([store.latestResult(id, fleet), store.instanceHistory(id, 50, fleet)]);
  if (!latest) throw new FleetDoctorError("NOT_FOUND", `No result for instance ${id}`, { instanceId: id });
  return json({ instance: latest, history: history.map(({ rawOutput: _raw, ...r }) => r) });
});
