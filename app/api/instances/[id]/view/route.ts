import { z } from "zod";
import { loadInstance } from "@/app/_data/instance.ts";
import { FleetDoctorError } from "@/lib/errors.ts";
import { pickedFleetParam } from "@/lib/http/fleet-params.ts";
import { idParam } from "@/lib/http/ids.ts";
import { json, readQuery } from "@/lib/http/respond.ts";
import { withActor } from "@/lib/http/with-actor.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Ctx = { params: Promise<{ id: string }> };

const query = z.object({ fleet: pickedFleetParam });

/**
 * One instance as its detail page shows it (the split panel's read): parsed report, capped raw output, history.
 * `?fleet=<account>/<region>`: the instance of that fleet (the same id in two accounts is two instances).
 */
export const GET = withActor("viewer", async (request, _actor, ctx: Ctx) => {
  const id = await idParam("instance", ctx);
  const q = readQuery(request, query);
  const view = await loadInstance(id, request, q.fleet);
  if (!view) throw new FleetDoctorError("NOT_FOUND", `No result for instance ${id}`, { instanceId: id });
  return json({ view });
});
