import { z } from "zod";
import { json, readJson, readQuery } from "@/lib/http/respond.ts";
import { withActor } from "@/lib/http/with-actor.ts";
import { defaultScanContext } from "@/lib/scan/context.ts";
import { startScan } from "@/lib/scan/start-scan.ts";
import { targetsSchema } from "@/lib/scan/targets.ts";
import { getStore } from "@/lib/store/index.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const startBody = z.object({ targets: targetsSchema }).strict();

/** Starts a scan in the background: 202 `{scanId}`; 409 `{scanId}` of the running one over the same targets. */
// Any signed-in user may scan (read-only on instances); withActor's Origin check keeps other sites from starting one.
export const POST = withActor("viewer", async (request, actor) => {
  const { targets } = await readJson(request, startBody);
  const { scanId } = await startScan(targets, defaultScanContext(actor.id));
  return json({ scanId }, 202, { location: `/api/scans/${scanId}` });
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
