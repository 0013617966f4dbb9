import { FleetDoctorError } from "@/lib/errors.ts";
import { idParam } from "@/lib/http/ids.ts";
import { resumeAfter } from "@/lib/http/resume-after.ts";
import { actionEventStream, SSE_HEADERS } from "@/lib/http/sse.ts";
import { withActor } from "@/lib/http/with-actor.ts";
import { getStore } from "@/lib/store/index.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Ctx = { params: Promise<{ id: string }> };

/** The action's events as Server-Sent Events; resumes after `Last-Event-ID` (or `?after=`); ends after `action-finished`. */
export const GET = withActor("viewer", async (request, _actor, ctx: Ctx) => {
  const id = await idParam("action", ctx);
  const after = resumeAfter(request);
  const actions = getStore().actions;
  if (!(await actions.get(id))) throw new FleetDoctorError("NOT_FOUND", `No action ${id}.`);
  const first = await actions.eventsSince(id, after, 500);
  return new Response(actionEventStream({ actions, actionId: id, after, first, signal: request.signal }), {
    status: 200,
    headers: SSE_HEADERS,
  });
});
