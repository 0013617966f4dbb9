import { z } from "zod";
import { checkOrigin, currentActor } from "@/lib/auth/index.ts";
import { handle, json } from "@/lib/http/respond.ts";
import { cancelScan } from "@/lib/scan/start-scan.ts";
import { getStore, requireScan } from "@/lib/store/index.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Ctx = { params: Promise<{ id: string }> };
const params = z.object({ id: z.uuid() });

/** A scan with the summary of every instance it has a result for so far. */
export const GET = handle(async (request: Request, ctx: Ctx) => {
  await currentActor(request);
  const { id } = params.parse(await ctx.params);
  const store = getStore();
  const scan = requireScan(store, id);
  return json({ scan, results: store.scanResults(id) });
});

/** Cancels a running scan: 202; 409 when it has already ended. */
export const DELETE = handle(async (request: Request, ctx: Ctx) => {
  await currentActor(request);
  checkOrigin(request);
  const { id } = params.parse(await ctx.params);
  const scan = requireScan(getStore(), id);
  return json(cancelScan(scan), 202);
});
