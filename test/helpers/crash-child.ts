/**
 * Child process of lib/actions/crash.test.ts (never imported by the app). `request <db> <id>`: asks for a restart and drives it,
 * printing `SENT <actionId>` once the command has gone out (the parent then kills it with SIGKILL).
 * `request <db> <id> force`: the same, forced (for an instance the preflight refuses); it also prints
 * `SENDING <actionId>` when the batch is about to be sent.
 * `resume <db>`: what a restarted process does at start: take over unfinished actions and finish them.
 * `scan <db>`: scans every instance, printing `SCAN <scanId>` once a batch is sent and `FINISHED <status>` at the end.
 * `lead <db>`: contends for the leadership `watcher` (lib/leader.ts), printing `LEADING <owner>` once it leads; it
 * then runs until killed (lib/leader.test.ts kills it with SIGKILL).
 */
import { requestAction, resumeActions } from "../../lib/actions/request-action.ts";
import { runAction } from "../../lib/actions/run-action.ts";
import { createClients } from "../../lib/aws/clients.ts";
import { parseConfig } from "../../lib/config.ts";
import { runAsLeader } from "../../lib/leader.ts";
import { runScan } from "../../lib/scan/run-scan.ts";
import { openConfiguredStore } from "../../lib/store/index.ts";

const [mode, db, instanceId, force] = process.argv.slice(2);
// <db> is a SQLite file or a postgres:// URL: the child opens the store as the app would with that configuration.
const where = db!.startsWith("postgres://") ? { FLEET_DOCTOR_DATABASE_URL: db } : { FLEET_DOCTOR_DB: db };
const config = parseConfig({ ...process.env, ...where, FLEET_DOCTOR_RESTART_WAIT: "20" });
const store = openConfiguredStore(config);
const ctx = { clients: createClients(config), store, config, pollMs: 300 };

if (mode === "request") {
  const answer = await requestAction(
    {
      kind: "restart",
      instanceIds: [instanceId],
      ...(force === "force" ? { force: true, reason: "crash test: send it anyway" } : {}),
    },
    { id: "crash-test", role: "operator" },
    ctx,
  );
  for await (const e of runAction(answer.actionId, ctx)) {
    if (e.type === "batch-sending") console.log(`SENDING ${answer.actionId}`);
    if (e.type === "batch-sent") console.log(`SENT ${answer.actionId}`);
  }
  console.log("FINISHED");
} else if (mode === "scan") {
  let scanId = "";
  let status = "";
  for await (const e of runScan({ kind: "all" }, { ...ctx, tuning: { firstPollMs: 200, minPollMs: 200 } })) {
    if (e.type === "scan-started") scanId = e.scanId;
    if (e.type === "batch-sent") console.log(`SCAN ${scanId}`);
    if (e.type === "scan-finished") status = e.status;
  }
  console.log(`FINISHED ${status}`);
} else if (mode === "lead") {
  // The store's timers are unref'd (they never keep a process alive): stand for the watcher's own work, which would.
  setInterval(() => {}, 1000);
  await runAsLeader(store, "watcher", async (signal) => {
    console.log(`LEADING ${store.owner}`);
    await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
    console.log("LOST");
  });
} else {
  const resumed = await resumeActions(ctx);
  console.log(`RESUMED ${resumed.map((r) => r.actionId).join(",")}`);
  await Promise.all(resumed.map((r) => r.done));
  console.log("DONE");
}
await store.close();
