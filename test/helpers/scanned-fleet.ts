/**
 * Test helper (never imported by the app): a simulator already scanned into a fresh database, the state a restart
 * starts from. The SDK finds the simulator through process.env (`simEnv`), as the app's own clients would.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ActionContext } from "../../lib/actions/run-action.ts";
import { createClients } from "../../lib/aws/clients.ts";
import { parseConfig } from "../../lib/config.ts";
import { runScan } from "../../lib/scan/run-scan.ts";
import { openStore, type Store } from "../../lib/store/store.ts";
import type { Simulator } from "../../sim/main.ts";
import { simEnv } from "./sim.ts";

export type ScannedFleet = {
  sim: Simulator;
  store: Store;
  ctx: ActionContext & { config: ReturnType<typeof parseConfig> };
  /** Closes the store and the simulator and removes the database's folder. */
  close(): Promise<void>;
};

/** Points the SDK at `sim`, opens a store in a new temp folder named after `prefix`, and scans the whole fleet. */
export async function scannedFleet(sim: Simulator, prefix: string): Promise<ScannedFleet> {
  Object.assign(process.env, simEnv(sim.url));
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const store = openStore(path.join(dir, "a.db"));
  const config = parseConfig({ ...process.env, FLEET_DOCTOR_RESTART_WAIT: "20" });
  const ctx = { clients: createClients(config), store, config, pollMs: 300 };
  for await (const _ of runScan(
    { kind: "all" },
    { ...ctx, tuning: { firstPollMs: 200, minPollMs: 200, maxPollMs: 500 } },
  )) {
    // stored
  }
  return {
    sim,
    store,
    ctx,
    async close() {
      store.close();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
