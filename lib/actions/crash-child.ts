/**
 * Child process of crash.test.ts (never imported by the app). `request <db> <id>`: asks for a restart and drives it,
 * printing `SENT <actionId>` once the command has gone out (the parent then kills it with SIGKILL).
 * `resume <db>`: what a restarted process does at start: take over unfinished actions and finish them.
 */
import { createClients } from "../aws/clients.ts";
import { parseConfig } from "../config.ts";
import { openStore } from "../store/store.ts";
import { requestAction, resumeActions } from "./request-action.ts";
import { runAction } from "./run-action.ts";

const [mode, db, instanceId] = process.argv.slice(2);
const config = parseConfig({ ...process.env, FLEET_DOCTOR_DB: db, FLEET_DOCTOR_RESTART_WAIT: "20" });
const store = openStore(db!, { leaseTtlSeconds: config.leaseTtlSeconds });
const ctx = { clients: createClients(config), store, config, pollMs: 300 };

if (mode === "request") {
  const answer = await requestAction(
    { kind: "restart", instanceIds: [instanceId] },
    { id: "crash-test", role: "operator" },
    ctx,
  );
  for await (const e of runAction(answer.actionId, ctx)) {
    if (e.type === "batch-sent") console.log(`SENT ${answer.actionId}`);
  }
  console.log("FINISHED");
} else {
  const resumed = await resumeActions(ctx);
  console.log(`RESUMED ${resumed.map((r) => r.actionId).join(",")}`);
  await Promise.all(resumed.map((r) => r.done));
  console.log("DONE");
}
await store.close();
