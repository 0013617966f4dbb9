/** Test helpers shared by the scan's integration tests (not used by app code). */
import { createClients } from "../aws/clients.ts";
import type { Store } from "../store/store.ts";
import type { ScanContext } from "./run-scan.ts";

/**
 * A scan context whose SDK clients talk to the simulator at `simUrl` (the SDK reads AWS_ENDPOINT_URL when a client
 * is created, like any AWS tool), with fast pacing and polling so tests spend their time in the simulator.
 */
export function simScanContext(simUrl: string, store: Store, extra: Partial<ScanContext> = {}): ScanContext {
  process.env.AWS_ENDPOINT_URL = simUrl;
  process.env.AWS_ACCESS_KEY_ID = "test";
  process.env.AWS_SECRET_ACCESS_KEY = "test";
  return {
    clients: createClients({ region: "us-east-1", maxAttempts: 8 }),
    store,
    config: { sendRate: 20, pollRate: 50, probeTimeoutSeconds: 30, deliveryTimeoutSeconds: 60 },
    tuning: { firstPollMs: 300, minPollMs: 250, maxPollMs: 1000 },
    ...extra,
  };
}
