import { z } from "zod";
import { currentActor } from "@/lib/auth/index.ts";
import { INSTANCE_ID } from "@/lib/aws/ids.ts";
import { FleetDoctorError } from "@/lib/errors.ts";
import { handle, json } from "@/lib/http/respond.ts";
import { getStore } from "@/lib/store/index.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Ctx = { params: Promise<{ id: string }> };
const params = z.object({ id: z.string().regex(INSTANCE_ID, "must be an instance id (i-… or mi-…)") });

/** One instance: its latest result (diagnosis, evidence, raw probe output) and its history, newest first. */
export const GET = handle(async (request: Request, ctx: Ctx) => {
  await currentActor(request);
  const { id } = params.parse(await ctx.params);
  const store = getStore();
  const latest = await store.latestResult(id);
  if (!latest) throw new FleetDoctorError("NOT_FOUND", `No result for instance ${id}`, { instanceId: id });
  const history = (await store.instanceHistory(id, 50)).map(({ rawOutput: _raw, ...r }) => r);
  return json({ instance: latest, history });
});
