import { z } from "zod";
import { FleetDoctorError } from "@/lib/errors.ts";
import { selectedFleet } from "@/lib/fleets/fleet-ids.ts";
import { pickedFleetParam } from "@/lib/http/fleet-params.ts";
import { idParam } from "@/lib/http/ids.ts";
import { json, readQuery } from "@/lib/http/respond.ts";
import { withActor } from "@/lib/http/with-actor.ts";
import { getStore } from "@/lib/store/index.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Ctx = { params: Promise<{ id: string }> };

const query = z.object({ fleet: pickedFleetParam });

/**
 * One instance: its latest result (diagnosis, evidence, raw probe output) and its history, newest first.
 * `?fleet=<account>/<region>`: the instance of that fleet (the same id in two accounts is two instances).
 */
export const GET = withActor("viewer", async (request, _actor, ctx: Ctx) => {
  const id = await idParam("instance", ctx);
  const fleet = selectedFleet(readQuery(request, query).fleet);
  const store = getStore();
  const latest = await store.latestResult(id, fleet);
  if (!latest) throw new FleetDoctorError("NOT_FOUND", `No result for instance ${id}`, { instanceId: id });
  const history = (await store.instanceHistory(id, 50, fleet)).map(({ rawOutput: _raw, ...r }) => r);
  return json({ instance: latest, history });
});
