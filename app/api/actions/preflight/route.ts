import { z } from "zod";
import { fleetActionContext } from "@/lib/actions/context.ts";
import { managedNow } from "@/lib/actions/managed-now.ts";
import { preflight } from "@/lib/actions/preflight.ts";
import { ACTION_KINDS, MAX_ACTION_TARGETS } from "@/lib/actions/types.ts";
import { INSTANCE_ID } from "@/lib/aws/ids.ts";
import { config as appConfig } from "@/lib/config.ts";
import { listFleets } from "@/lib/fleets/list-fleets.ts";
import { pickFleet } from "@/lib/fleets/pick-fleet.ts";
import { json, readQuery } from "@/lib/http/respond.ts";
import { withActor } from "@/lib/http/with-actor.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const query = z.object({
  kind: z.enum(ACTION_KINDS).default("restart"),
  ids: z
    .string()
    .transform((s) => s.split(",").filter(Boolean))
    .pipe(z.array(z.string().regex(INSTANCE_ID, "not an instance id")).min(1).max(MAX_ACTION_TARGETS)),
  fleet: z.string().max(100).optional(),
});

/**
 * `?kind=&ids=a,b&fleet=`: whether the remedy would be accepted for each instance, and why not (read-only). It asks SSM
 * what it manages now (one DescribeInstanceInformation) as POST /api/actions does, so a restart button shows in
 * advance the refusal of an instance SSM no longer manages or reaches.
 */
export const GET = withActor("viewer", async (request, actor) => {
  const q = readQuery(request, query);
  // The instances of one fleet (required when several are configured): its SSM, its latest results.
  const target = pickFleet(q.fleet, await listFleets(appConfig()));
  const { clients, store, config } = fleetActionContext(target, actor.id);
  const managed = await managedNow(clients, q.ids);
  const checks = await preflight(q.kind, q.ids, { store, config, managed, fleet: target.id });
  return json({ kind: q.kind, role: actor.role, checks });
});
