import { z } from "zod";
import { FleetDoctorError } from "@/lib/errors.ts";
import { idParam } from "@/lib/http/ids.ts";
import { json, readQuery } from "@/lib/http/respond.ts";
import { withActor } from "@/lib/http/with-actor.ts";
import { cancelScan } from "@/lib/scan/start-scan.ts";
import { getStore, requireScan } from "@/lib/store/index.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Ctx = { params: Promise<{ id: string }> };
const query = z.object({ fields: z.enum(["scan"]).optional() });

/**
 * A scan with the summary of every instance it has a result for so far; `?fields=scan`: the scan's row alone
 * (status, done/total, counts) and `lastSeq`, the seq of its last stored event: what a progress bar and the polling
 * fallback need (a page then streams only the events after `lastSeq`).
 */
export const GET = withActor("viewer", async (request, _actor, ctx: Ctx) => {
  const id = await idParam("scan", ctx);
  const { fields } = readQuery(request, query);
  const store = getStore();
  if (fields === "scan") {
    const progress = await store.getScanProgress(id);
    if (!progress) throw new FleetDoctorError("NOT_FOUND", `No scan with id ${id}`, { scanId: id });
    return json(progress);
  }
  const scan = await requireScan(store, id);
  return json({ scan, results: await store.scanResults(id) });
});

/** Cancels a running scan: 202; 409 when it has already ended. */
export const DELETE = withActor("viewer", async (_request, _actor, ctx: Ctx) => {
  const id = await idParam("scan", ctx);
  const store = getStore();
  const scan = await requireScan(store, id);
  return json(await cancelScan(store, scan), 202);
});
