import { z } from "zod";
import { alertsOverview } from "@/lib/alerts/alerts-overview.ts";
import { config } from "@/lib/config.ts";
import { json, readQuery } from "@/lib/http/respond.ts";
import { withActor } from "@/lib/http/with-actor.ts";
import { getStore } from "@/lib/store/index.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const query = z.object({ limit: z.coerce.number().int().min(1).max(500).optional() });

/** The alert webhooks by name, format and events (never a URL or a secret), and the newest delivery attempts. */
export const GET = withActor("viewer", async (request) => {
  const q = readQuery(request, query);
  return json(await alertsOverview(getStore(), config().webhooks, q.limit ?? 100));
});
