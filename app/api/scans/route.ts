import { z } from "zod";
import { config } from "@/lib/config.ts";
import { listFleets } from "@/lib/fleets/list-fleets.ts";
import { json, readJson, readQuery } from "@/lib/http/respond.ts";
import { withActor } from "@/lib/http/with-actor.ts";
import { defaultScanContext } from "@/lib/scan/context.ts";
import { fleetsRequestSchema, selectFleets } from "@/lib/scan/select-fleets.ts";
import { startScan } from "@/lib/scan/start-scan.ts";
import { startSweep } from "@/lib/scan/start-sweep.ts";
import { targetsSchema } from "@/lib/scan/targets.ts";
import { getStore } from "@/lib/store/index.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const startBody = z.object({ targets: targetsSchema, fleets: fleetsRequestSchema.optional() }).strict();

/**
 * Starts a scan in the background: 202 `{scanId}`; 409 `{scanId}` of the running one over the same targets.
 * With `fleets` (ids `<account>/<region>`, or "all"), or a fleets file configured (then every fleet by default), a
 * sweep: 202 `{sweepId, scans: [{fleet, scanId?, joined?, error?}], scanId?}` (`scanId` when it reads one fleet);
 * a fleet already being scanned is joined, one that cannot be entered is its own error; 400 naming `fleets[i]` for a
 * fleet Fleet Doctor does not read.
 */
// Any signed-in user may scan (read-only on instances); withActor's Origin check keeps other sites from starting one.
export const POST = withActor("viewer", async (request, actor) => {
  const { targets, fleets } = await readJson(request, startBody);
  const c = config();
  if (fleets === undefined && !c.fleetsFile) {
    const { scanId } = await startScan(targets, defaultScanContext(actor.id));
    return json({ scanId }, 202, { location: `/api/scans/${scanId}` });
  }
  const selection = selectFleets(await listFleets(c), fleets);
  const { done: _, ...answer } = await startSweep(selection, targets, {
    store: getStore(),
    config: c,
    actor: actor.id,
    takeover: true,
  });
  return json(answer, 202, { location: `/api/sweeps/${answer.sweepId}` });
});

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).optional(),
  before: z.uuid().optional(),
});

/** Scans, newest first: `?limit=50&before=<scanId>` pages back. */
export const GET = withActor("viewer", async (request) => {
  const q = readQuery(request, listQuery);
  const scans = await getStore().listScans({ limit: q.limit ?? 50, ...(q.before ? { before: q.before } : {}) });
  return json({ scans });
});
