import { z } from "zod";
import { json, readQuery } from "@/lib/http/respond.ts";
import { withActor } from "@/lib/http/with-actor.ts";
import { listSweeps } from "@/lib/scan/get-sweep.ts";
import { getStore } from "@/lib/store/index.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).optional(),
  before: z.uuid().optional(),
});

/** Sweeps (scans over several fleets), newest first, each with its fleets' scans or errors; `?before=<sweepId>`. */
export const GET = withActor("viewer", async (request) => {
  const q = readQuery(request, listQuery);
  const sweeps = await listSweeps(getStore(), { limit: q.limit ?? 50, ...(q.before ? { before: q.before } : {}) });
  return json({ sweeps });
});
