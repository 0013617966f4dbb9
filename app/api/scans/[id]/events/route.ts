import { FleetDoctorError } from "@/lib/errors.ts";
import { idParam } from "@/lib/http/ids.ts";
import { SSE_HEADERS, scanEventStream } from "@/lib/http/sse.ts";
import { withActor } from "@/lib/http/with-actor.ts";
import { getStore, requireScan } from "@/lib/store/index.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Ctx = { params: Promise<{ id: string }> };
const seq = /^\d{1,12}$/;

/**
 * The scan's events as Server-Sent Events: stored ones first, then live; `id:` is the event's seq, and a reconnect
 * resumes after `Last-Event-ID` (or `?after=`). Closes after `scan-finished`.
 */
export const GET = withActor("viewer", async (request, _actor, ctx: Ctx) => {
  const id = await idParam("scan", ctx);
  const header = request.headers.get("last-event-id");
  const query = new URL(request.url).searchParams.get("after");
  const raw = header ?? query;
  if (raw !== null && !seq.test(raw.trim())) {
    const field = header !== null ? "Last-Event-ID" : "after";
    throw new FleetDoctorError("BAD_REQUEST", `${field}: must be a non-negative integer`, { field });
  }
  const after = raw === null ? 0 : Number(raw.trim());
  const store = getStore();
  requireScan(store, id);
  // Primed before the response is committed: a missing scan or a failing read is still a real status code.
  const first = store.eventsSince(id, after, 500);
  return new Response(scanEventStream({ store, scanId: id, after, first, signal: request.signal }), {
    status: 200,
    headers: SSE_HEADERS,
  });
});
