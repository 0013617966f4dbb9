import { z } from "zod";
import { currentActor } from "@/lib/auth/index.ts";
import { FleetDoctorError } from "@/lib/errors.ts";
import { handle } from "@/lib/http/respond.ts";
import { resumeAfter } from "@/lib/http/resume-after.ts";
import { actionEventStream, SSE_HEADERS } from "@/lib/http/sse.ts";
import { getStore } from "@/lib/store/index.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Ctx = { params: Promise<{ id: string }> };
const params = z.object({ id: z.uuid() });

/** The action's events as Server-Sent Events; resumes after `Last-Event-ID` (or `?after=`); ends after `action-finished`. */
export const GET = handle(async (request: Request, ctx: Ctx) => {
  await currentActor(request);
  const { id } = params.parse(await ctx.params);
  const after = resumeAfter(request);
  const actions = getStore().actions;
  if (!(await actions.get(id))) throw new FleetDoctorError("NOT_FOUND", `No action ${id}.`);
  const first = await actions.eventsSince(id, after, 500);
  return new Response(actionEventStream({ actions, actionId: id, after, first, signal: request.signal }), {
    status: 200,
    headers: SSE_HEADERS,
  });
});
