import { z } from "zod";
import { preflight } from "@/lib/actions/preflight.ts";
import { ACTION_KINDS, MAX_ACTION_TARGETS } from "@/lib/actions/types.ts";
import { INSTANCE_ID } from "@/lib/aws/ids.ts";
import { config } from "@/lib/config.ts";
import { json, readQuery } from "@/lib/http/respond.ts";
import { withActor } from "@/lib/http/with-actor.ts";
import { getStore } from "@/lib/store/index.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const query = z.object({
  kind: z.enum(ACTION_KINDS).default("restart"),
  ids: z
    .string()
    .transform((s) => s.split(",").filter(Boolean))
    .pipe(z.array(z.string().regex(INSTANCE_ID, "not an instance id")).min(1).max(MAX_ACTION_TARGETS)),
});

/** `?kind=&ids=a,b`: whether the remedy would be accepted for each instance, and why not (read-only). */
export const GET = withActor("viewer", async (request, actor) => {
  const q = readQuery(request, query);
  const checks = await preflight(q.kind, q.ids, { store: getStore(), config: config() });
  return json({ kind: q.kind, role: actor.role, checks });
});
