import { z } from "zod";
import { fleetView } from "@/app/_data/fleets.ts";
import { verdictLabel } from "@/components/instances/table-model.ts";
import { VERDICTS, type Verdict } from "@/lib/diagnosis/types.ts";
import { scopeFilter } from "@/lib/fleets/console-fleets.ts";
import { narrowFleets } from "@/lib/fleets/narrow-fleets.ts";
import { accountParam, fleetListParam, regionParam } from "@/lib/http/fleet-params.ts";
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
  /** `?fleet=<account>/<region>` (repeatable, or a comma list); absent or `all`: every fleet the console reads. */
  fleet: fleetListParam,
  /** A 12-digit account: its fleets in every region. */
  account: accountParam,
  region: regionParam,
});

/**
 * The latest diagnosis of every instance of the fleets asked for, filtered and paginated, with those fleets' verdict
 * counts. Each item names its fleet: an instance id is only unique inside one.
 */
export const GET = withActor("viewer", async (request) => {
  const q = readQuery(request, query);
  const store = getStore();
  // Fleets not asked for never mix in: without `fleet`, the configured ones (lib/fleets/console-fleets.ts).
  const fleets = narrowFleets((await fleetView(undefined)).ids, {
    ...(q.fleet ? { fleets: q.fleet } : {}),
    ...(q.account ? { account: q.account } : {}),
    ...(q.region ? { region: q.region } : {}),
  });
  if (fleets.length === 0) return json({ total: 0, items: [], counts: {}, fleets });
  const { total, items } = await store.latestResults({
    ...scopeFilter(fleets),
    ...(q.account ? { account: q.account } : {}),
    ...(q.region ? { region: q.region } : {}),
    includeGone: q.include === "gone",
    ...(q.verdict?.length ? { verdict: q.verdict } : {}),
    ...(q.group ? { group: q.group } : {}),
    ...(q.version ? { agentVersion: q.version } : {}),
    ...(q.registered ? { registered: q.registered } : {}),
    ...(q.q ? { q: q.q, verdictLabel } : {}),
    limit: q.limit ?? 100,
    offset: q.offset ?? 0,
  });
  // Counted per fleet (the store's scope is one fleet) and added up.
  const counts: Partial<Record<Verdict, number>> = {};
  for (const c of await Promise.all(fleets.map((fleet) => store.verdictCounts({ fleet })))) {
    for (const [v, n] of Object.entries(c) as [Verdict, number][]) counts[v] = (counts[v] ?? 0) + n;
  }
  return json({ total, items, counts, fleets });
});
