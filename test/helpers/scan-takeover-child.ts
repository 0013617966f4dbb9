/**
 * Child process of lib/scan/takeover.test.ts (never imported by the app). `serve <db>`: starts a scan of every
 * instance as the server does (startScan: marked for takeover), prints `SCAN <scanId>`, and waits for its end
 * (the parent kills it with SIGKILL once some batches are sent). `cli <db>`: the same scan as the CLI runs it
 * (runScan, not marked), printing `SCAN <scanId>` at its first batch.
 */
import { createClients } from "../../lib/aws/clients.ts";
import { parseConfig } from "../../lib/config.ts";
import { runScan } from "../../lib/scan/run-scan.ts";
import { scanDone, startScan } from "../../lib/scan/start-scan.ts";
import { openConfiguredStore } from "../../lib/store/index.ts";

const [mode, db] = process.argv.slice(2);
const where = db!.startsWith("postgres://") ? { FLEET_DOCTOR_DATABASE_URL: db } : { FLEET_DOCTOR_DB: db };
const config = parseConfig({ ...process.env, ...where });
const store = openConfiguredStore(config);
const ctx = { clients: createClients(config), store, config, tuning: { firstPollMs: 200, minPollMs: 200 } };

if (mode === "serve") {
  const { scanId } = await startScan({ kind: "all" }, ctx);
  console.log(`SCAN ${scanId}`);
  const end = await scanDone(store, scanId, 200);
  console.log(`FINISHED ${end?.status}`);
} else {
  let scanId = "";
  for await (const e of runScan({ kind: "all" }, ctx)) {
    if (e.type === "scan-started") scanId = e.scanId;
    if (e.type === "batch-sent") console.log(`SCAN ${scanId}`);
  }
}
await store.close();
