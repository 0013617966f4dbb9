import { z } from "zod";
import { currentActor } from "@/lib/auth/index.ts";
import { FleetDoctorError } from "@/lib/errors.ts";
import { handle } from "@/lib/http/respond.ts";
import { actionEventStream, SSE_HEADERS } from "@/lib/http/sse.ts";
import { getStore } from "@/lib/store/index.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Ctx = { params: Promise<{ id: string }> };
const params = z.object({ id: z.uuid() });
const seq = /^\d{1,12}$/;

/** The action's events as Server-Sent Events; resumes after `Last-Event-ID` (or `?after=`); ends after `action-finished`. */
export const GET = handle(async (request: Request, ctx: Ctx) => {
  await currentActor(request);
  const { id } = params.parse(await ctx.params);
  const raw = request.headers.get("last-event-id") ?? new URL(request.url).searchParams.get("after");
  if (raw !== null && !seq.test(raw.trim())) {
    throw new FleetDoctorError("BAD_REQUEST", "Last-Event-ID / after: must be a non-negative integer", {
      field: "after",
    });
  }
  const after = raw === null ? 0 : Number(raw.trim());
  const actions = getStore().actions;
  if (!(await actions.get(id))) throw new FleetDoctorError("NOT_FOUND", `No action ${id}.`);
  const first = await actions.eventsSince(id, after, 500);
  return new Response(actionEventStream({ actions, actionId: id, after, first, signal: request.signal }), {
    status: 200,
    headers: SSE_HEADERS,
  });
});
