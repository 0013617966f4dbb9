import { z } from "zod";
import { ensureResumed } from "@/lib/actions/context.ts";
import { currentActor } from "@/lib/auth/index.ts";
import { FleetDoctorError } from "@/lib/errors.ts";
import { handle, json } from "@/lib/http/respond.ts";
import { getStore } from "@/lib/store/index.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Ctx = { params: Promise<{ id: string }> };
const params = z.object({ id: z.uuid() });

/** One action: who, when, why, each instance's preflight and decision, the command ids and each outcome. */
export const GET = handle(async (request: Request, ctx: Ctx) => {
  await currentActor(request);
  await ensureResumed();
  const { id } = params.parse(await ctx.params);
  const action = await getStore().actions.detail(id);
  if (!action) throw new FleetDoctorError("NOT_FOUND", `No action ${id}.`);
  return json({ action });
});
