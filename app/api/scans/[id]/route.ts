import { idParam } from "@/lib/http/ids.ts";
import { json } from "@/lib/http/respond.ts";
import { withActor } from "@/lib/http/with-actor.ts";
import { cancelScan } from "@/lib/scan/start-scan.ts";
import { getStore, requireScan } from "@/lib/store/index.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Ctx = { params: Promise<{ id: string }> };

/** A scan with the summary of every instance it has a result for so far. */
export const GET = withActor("viewer", async (_request, _actor, ctx: Ctx) => {
  const id = await idParam("scan", ctx);
  const store = getStore();
  const scan = requireScan(store, id);
  return json({ scan, results: store.scanResults(id) });
});

/** Cancels a running scan: 202; 409 when it has already ended. */
export const DELETE = withActor("viewer", async (_request, _actor, ctx: Ctx) => {
  const id = await idParam("scan", ctx);
  const scan = requireScan(getStore(), id);
  return json(cancelScan(scan), 202);
});
