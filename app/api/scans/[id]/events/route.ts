import { idParam } from "@/lib/http/ids.ts";
import { resumeAfter } from "@/lib/http/resume-after.ts";
import { SSE_HEADERS, scanEventStream } from "@/lib/http/sse.ts";
import { withActor } from "@/lib/http/with-actor.ts";
import { getStore, requireScan } from "@/lib/store/index.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Ctx = { params: Promise<{ id: string }> };

/**
 * The scan's events as Server-Sent Events: stored ones first, then live; `id:` is the event's seq, and a reconnect
 * resumes after `Last-Event-ID` (or `?after=`). Closes after `scan-finished`.
 */
export const GET = withActor("viewer", async (request, _actor, ctx: Ctx) => {
  const id = await idParam("scan", ctx);
  const after = resumeAfter(request);
  const store = getStore();
  await requireScan(store, id);
  // Primed before the response is committed: a missing scan or a failing read is still a real status code.
  const first = await store.eventsSince(id, after, 500);
  return new Response(scanEventStream({ store, scanId: id, after, first, signal: request.signal }), {
    status: 200,
    headers: SSE_HEADERS,
  });
});
