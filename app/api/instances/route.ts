import { z } from "zod";
import { verdictLabel } from "@/components/instances/table-model.ts";
import { fleetInView } from "@/lib/aws/fleet-in-view.ts";
import { VERDICTS } from "@/lib/diagnosis/types.ts";
import { json, readQuery } from "@/lib/http/respond.ts";
import { withActor } from "@/lib/http/with-actor.ts";
import { getStore } from "@/lib/store/index.ts";
import { REGISTERED } from "@/lib/store/types.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const text = (max: number) => z.string().min(1).max(max);
const query = z.object({
  // `?verdict=a,b` or `?verdict=a&verdict=b`
  verdict: z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(",")).filter(Boolean))
    .pipe(z.array(z.enum(VERDICTS)).max(VERDICTS.length))
    .optional(),
  group: text(255).optional(),
  version: text(32).optional(),
  /** ECS registration: yes, no, or not-asked (the scan had no ECS view). */
  registered: z.enum(REGISTERED).optional(),
  q: text(100).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  offset: z.coerce.number().int().min(0).max(10_000_000).optional(),
  /** `include=gone`: also the instances a full scan of the fleet no longer sees (with `goneSince`). */
  include: z.enum(["gone"]).optional(),
});

/** The latest diagnosis of every instance, filtered and paginated, with the fleet's verdict counts. */
export const GET = withActor("viewer", async (request) => {
  const q = readQuery(request, query);
  const store = getStore();
  // The fleet in view only (lib/store/fleets.ts): another fleet's results in this database never mix in.
  const scope = { fleet: (await fleetInView()).id, includeGone: q.include === "gone" };
  const { total, items } = await store.latestResults({
    ...scope,
    ...(q.verdict?.length ? { verdict: q.verdict } : {}),
    ...(q.group ? { group: q.group } : {}),
    ...(q.version ? { agentVersion: q.version } : {}),
    ...(q.registered ? { registered: q.registered } : {}),
    ...(q.q ? { q: q.q, verdictLabel } : {}),
    limit: q.limit ?? 100,
    offset: q.offset ?? 0,
  });
  return json({ total, items, counts: await store.verdictCounts({ fleet: scope.fleet }) });
});
