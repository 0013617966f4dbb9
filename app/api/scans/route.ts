import { z } from "zod";
import { checkOrigin, currentActor } from "@/lib/auth/index.ts";
import { handle, json, readJson, readQuery } from "@/lib/http/respond.ts";
import { defaultScanContext } from "@/lib/scan/context.ts";
import { startScan } from "@/lib/scan/start-scan.ts";
import { targetsSchema } from "@/lib/scan/targets.ts";
import { getStore } from "@/lib/store/index.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const startBody = z.object({ targets: targetsSchema }).strict();

/** Starts a scan in the background: 202 `{scanId}`; 409 `{scanId}` of the running one over the same targets. */
export const POST = handle(async (request: Request) => {
  // Any signed-in user may scan (read-only on instances); the Origin check keeps other sites from starting one.
  const actor = await currentActor(request);
  checkOrigin(request);
  const { targets } = await readJson(request, startBody);
  const { scanId } = await startScan(targets, defaultScanContext(actor.id));
  return json({ scanId }, 202, { location: `/api/scans/${scanId}` });
});

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).optional(),
  before: z.uuid().optional(),
});

/** Scans, newest first: `?limit=50&before=<scanId>` pages back. */
export const GET = handle(async (request: Request) => {
  await currentActor(request);
  const q = readQuery(request, listQuery);
  const scans = await getStore().listScans({ limit: q.limit ?? 50, ...(q.before ? { before: q.before } : {}) });
  return json({ scans });
});
