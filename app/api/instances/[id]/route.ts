import { FleetDoctorError } from "@/lib/errors.ts";
import { idParam } from "@/lib/http/ids.ts";
import { json } from "@/lib/http/respond.ts";
import { withActor } from "@/lib/http/with-actor.ts";
import { getStore } from "@/lib/store/index.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Ctx = { params: Promise<{ id: string }> };

/** One instance: its latest result (diagnosis, evidence, raw probe output) and its history, newest first. */
export const GET = withActor("viewer", async (_request, _actor, ctx: Ctx) => {
  const id = await idParam("instance", ctx);
  const store = getStore();
  const latest = await store.latestResult(id);
  if (!latest) throw new FleetDoctorError("NOT_FOUND", `No result for instance ${id}`, { instanceId: id });
  const history = (await store.instanceHistory(id, 50)).map(({ rawOutput: _raw, ...r }) => r);
  return json({ instance: latest, history });
});
