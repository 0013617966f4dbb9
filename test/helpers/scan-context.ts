/** Test helpers shared by the scan's integration tests (not used by app code). */
import { createClients } from "../../lib/aws/clients.ts";
import { runScan, type ScanContext } from "../../lib/scan/run-scan.ts";
import type { InstanceResult, ScanEvent, Targets } from "../../lib/scan/types.ts";
import type { Store } from "../../lib/store/store.ts";

/**
 * A scan context with fast pacing and polling, so tests spend their time in the simulator. It does not touch
 * process.env: the SDK finds the simulator through AWS_ENDPOINT_URL, which the test sets itself (with `simEnv` of
 * ./sim.ts) before the clients' first call, as any AWS tool is pointed at an endpoint.
 */
export function simScanContext(store: Store, extra: Partial<ScanContext> = {}): ScanContext {
  return {
    clients: createClients({ region: "us-east-1", maxAttempts: 8 }),
    store,
    config: { sendRate: 20, pollRate: 50, probeTimeoutSeconds: 30, deliveryTimeoutSeconds: 60, joinGraceSeconds: 300 },
    tuning: { firstPollMs: 300, minPollMs: 250, maxPollMs: 1000 },
    ...extra,
  };
}

/**
 * Runs a scan to its end and reads each instance's result once from the store (the events are slim: they name the
 * instance, not its result). Results the store does not have are left out of `results`.
 */
export async function scanToEnd(targets: Targets, ctx: ScanContext) {
  const events: ScanEvent[] = [];
  for await (const e of runScan(targets, ctx)) events.push(e);
  const scanId = (events[0] as { scanId: string }).scanId;
  const results = new Map<string, InstanceResult>();
  for (const e of events) {
    if (e.type !== "instance") continue;
    const r = await ctx.store.scanResult(scanId, e.instanceId);
    if (r) results.set(e.instanceId, r);
  }
  return { events, results, scanId };
}
