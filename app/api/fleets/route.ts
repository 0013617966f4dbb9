import { loadFleets } from "@/app/_data/fleets.ts";
import { json } from "@/lib/http/respond.ts";
import { withActor } from "@/lib/http/with-actor.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * Every fleet the console lists: the configured ones (the default credentials' one, or the fleets file's, each with
 * its error when it cannot be read now) and those only the store has results of, with how many instances each has.
 */
export const GET = withActor("viewer", async () => {
  const fleets = await loadFleets();
  return json({
    fleets: fleets.map((f) => ({
      id: f.id,
      account: f.account,
      ...(f.name ? { name: f.name } : {}),
      region: f.region,
      source: f.source,
      ...(f.error ? { error: f.error } : {}),
      instances: f.instances,
    })),
  });
});
