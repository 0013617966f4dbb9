import { z } from "zod";
import { checkOrigin, currentActor } from "@/lib/auth/index.ts";
import { FleetDoctorError } from "@/lib/errors.ts";
import { handle, json, readQuery } from "@/lib/http/respond.ts";
import { cancelScan } from "@/lib/scan/start-scan.ts";
import { getStore, requireScan } from "@/lib/store/index.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Ctx = { params: Promise<{ id: string }> };
const params = z.object({ id: z.uuid() });
const query = z.object({ fields: z.enum(["scan"]).optional() });

/**
 * A scan with the summary of every instance it has a result for so far; `?fields=scan`: the scan's row alone
 * (status, done/total, counts) and `lastSeq`, the seq of its last stored event: what a progress bar and the polling
 * fallback need (a page then streams only the events after `lastSeq`).
 */
export const GET = handle(async (request: Request, ctx: Ctx) => {
  await currentActor(request);
  const { id } = params.parse(await ctx.params);
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
export const DELETE = handle(async (request: Request, ctx: Ctx) => {
  await currentActor(request);
  checkOrigin(request);
  const { id } = params.parse(await ctx.params);
  const store = getStore();
  const scan = await requireScan(store, id);
  return json(await cancelScan(store, scan), 202);
});
