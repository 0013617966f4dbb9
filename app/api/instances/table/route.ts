import { z } from "zod";
import { tableData } from "@/app/_data/fleet.ts";
import { pickedFleetParam } from "@/lib/http/fleet-params.ts";
import { readQuery } from "@/lib/http/respond.ts";
import { withActor } from "@/lib/http/with-actor.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * Every instance's latest verdict in the table's compact column form (CompactRows): what the instances page fetches
 * once its first page is on screen, so filtering, sorting and paging then happen in the browser without a round trip.
 * The ETag changes with the data, so a browser that has the rows revalidates them for a 304 instead of 0.5 MB.
 * `?include=gone` adds the instances a full scan of the fleet no longer sees (with when they went); its ETag differs.
 * `?fleet=<account>/<region>` is the header's picker (absent or `all`: every fleet); each view has its own ETag.
 */
const query = z.object({ include: z.enum(["gone"]).optional(), fleet: pickedFleetParam });

export const GET = withActor("viewer", async (request) => {
  const q = readQuery(request, query);
  const data = await tableData(request, { includeGone: q.include === "gone", ...(q.fleet ? { fleet: q.fleet } : {}) });
  const headers = { etag: `"${data.version}"`, "cache-control": "private, no-cache" };
  if (request.headers.get("if-none-match") === headers.etag) return new Response(null, { status: 304, headers });
  return new Response(data.json, { headers: { ...headers, "content-type": "application/json" } });
});
