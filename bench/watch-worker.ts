/**
 * The store side of bench/watch.ts, in its own process on the store the watcher uses (FLEET_DOCTOR_DB):
 *   policy GROUP...  sets `restart` on each group through lib/autopilot's setPolicy, as an operator would on the page;
 *   log              prints autopilot's log of the fleet (oldest first) as one JSON line.
 */
import { LOCAL_ACTOR } from "../lib/auth/roles.ts";
import { setPolicy } from "../lib/autopilot/set-policy.ts";
import { createClients } from "../lib/aws/clients.ts";
import { config } from "../lib/config.ts";
import { fleetOf } from "../lib/scan/run-scan.ts";
import { openConfiguredStore } from "../lib/store/index.ts";

const [kind, ...groups] = process.argv.slice(2);
const cfg = config();
const store = openConfiguredStore(cfg);
try {
  const fleet = (await fleetOf(createClients(cfg))).id;
  if (kind === "policy") {
    // The highest rate the policy allows: the bench launches 50 instances per group in 5 minutes, and the default
    // (20 an hour) would hold most of them back by design rather than measure the watcher.
    for (const group of groups) {
      await setPolicy({ group, mode: "restart", maxRestartsPerHour: 1000 }, LOCAL_ACTOR, { store, fleet });
    }
    console.log(JSON.stringify({ fleet, policies: (await store.autopilot.policies(fleet)).length }));
  } else if (kind === "log") {
    console.log(JSON.stringify((await store.autopilot.recent(fleet, 1_000_000)).reverse()));
  } else {
    throw new Error(`watch-worker: unknown kind '${kind}'`);
  }
} finally {
  await store.close();
}
