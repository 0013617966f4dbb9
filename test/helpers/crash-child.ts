/**
 * Child process of lib/actions/crash.test.ts (never imported by the app). `request <db> <id>`: asks for a restart and drives it,
 * printing `SENT <actionId>` once the command has gone out (the parent then kills it with SIGKILL).
 * `resume <db>`: what a restarted process does at start: take over unfinished actions and finish them.
 */

import { requestAction, resumeActions } from "../../lib/actions/request-action.ts";
import { runAction, runningActions } from "../../lib/actions/run-action.ts";
import { createClients } from "../../lib/aws/clients.ts";
import { parseConfig } from "../../lib/config.ts";
import { openStore } from "../../lib/store/store.ts";

const [mode, db, instanceId] = process.argv.slice(2);
const config = parseConfig({ ...process.env, FLEET_DOCTOR_DB: db, FLEET_DOCTOR_RESTART_WAIT: "20" });
const store = openStore(db!);
const ctx = { clients: createClients(config), store, config, pollMs: 300 };

if (mode === "request") {
  const answer = requestAction(
    { kind: "restart", instanceIds: [instanceId] },
    { id: "crash-test", role: "operator" },
    ctx,
  );
  for await (const e of runAction(answer.actionId, ctx)) {
    if (e.type === "batch-sent") console.log(`SENT ${answer.actionId}`);
  }
  console.log("FINISHED");
} else {
  const resumed = resumeActions(ctx);
  console.log(`RESUMED ${resumed.join(",")}`);
  await Promise.all(resumed.map((id) => runningActions().get(id)));
  console.log("DONE");
}
store.close();
