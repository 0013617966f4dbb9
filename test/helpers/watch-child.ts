/**
 * Child process of lib/watch/watch-fleet.test.ts (never imported by the app): `<db>` runs the watcher as the server
 * would (contending for the leader lease `watcher`, then watchFleet), printing `LEADING <owner>` once it leads and
 * `TURN <json>` after each turn. The parent kills it with SIGKILL in the middle of a probe.
 */
import { parseConfig } from "../../lib/config.ts";
import { runAsLeader } from "../../lib/leader.ts";
import { openConfiguredStore } from "../../lib/store/index.ts";
import { watchContext } from "../../lib/watch/watch-context.ts";
import { WATCHER, watchFleet } from "../../lib/watch/watch-fleet.ts";

const [db] = process.argv.slice(2);
const config = parseConfig({ ...process.env, FLEET_DOCTOR_DB: db });
const store = openConfiguredStore(config);
// The store's timers are unref'd: the watcher's loop stands for the server that would keep the process alive.
setInterval(() => {}, 1000);
await runAsLeader(store, WATCHER, async (signal) => {
  console.log(`LEADING ${store.owner}`);
  await watchFleet(watchContext(store, config), {
    signal,
    onTurn: (t) => console.log(`TURN ${JSON.stringify({ kind: t.kind, look: "look" in t ? t.look : undefined })}`),
  });
});
