import { idParam } from "@/lib/http/ids.ts";
import { json } from "@/lib/http/respond.ts";
import { withActor } from "@/lib/http/with-actor.ts";
import { requireSweep } from "@/lib/scan/get-sweep.ts";
import { getStore } from "@/lib/store/index.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Ctx = { params: Promise<{ id: string }> };

/** A sweep: its status and each fleet's scan (status, done/total, counts) or error. 404 for an unknown id. */
export const GET = withActor("viewer", async (_request, _actor, ctx: Ctx) => {
  const id = await idParam("sweep", ctx);
  return json({ sweep: await requireSweep(getStore(), id) });
});
