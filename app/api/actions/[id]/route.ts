import { ensureResumed } from "@/lib/actions/context.ts";
import { FleetDoctorError } from "@/lib/errors.ts";
import { idParam } from "@/lib/http/ids.ts";
import { json } from "@/lib/http/respond.ts";
import { withActor } from "@/lib/http/with-actor.ts";
import { getStore } from "@/lib/store/index.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Ctx = { params: Promise<{ id: string }> };

/** One action: who, when, why, each instance's preflight and decision, the command ids and each outcome. */
export const GET = withActor("viewer", async (_request, _actor, ctx: Ctx) => {
  await ensureResumed();
  const id = await idParam("action", ctx);
  const action = await getStore().actions.detail(id);
  if (!action) throw new FleetDoctorError("NOT_FOUND", `No action ${id}.`);
  return json({ action });
});
