import { createClients } from "../aws/clients.ts";
import { config } from "../config.ts";
import { defaultScanContext } from "../scan/context.ts";
import { resumeScans } from "../scan/resume-scans.ts";
import { getStore } from "../store/index.ts";
import { resumeActions } from "./request-action.ts";
import type { ActionContext } from "./run-action.ts";

/** What an action needs in this process: clients, the store, config. */
export function defaultActionContext(): ActionContext & { config: ReturnType<typeof config> } {
  const c = config();
  return { clients: createClients(c), store: getStore(), config: c };
}

const KEY = Symbol.for("fleet-doctor.actions-resumed");

async function resume(): Promise<void> {
  try {
    const resumed = await resumeActions(defaultActionContext());
    if (resumed.length > 0)
      console.log(
        `[fleet-doctor] resumed ${resumed.length} unfinished action(s): ${resumed.map((r) => r.actionId).join(", ")}`,
      );
  } catch (e) {
    console.error("[fleet-doctor] could not resume unfinished actions:", e);
  }
  // The same sweep for scans: a server's scan whose owner died is finished here, as the same scan.
  try {
    const scans = await resumeScans(defaultScanContext());
    if (scans.length > 0)
      console.log(`[fleet-doctor] took over ${scans.length} scan(s): ${scans.map((s) => s.scanId).join(", ")}`);
  } catch (e) {
    console.error("[fleet-doctor] could not take over abandoned scans:", e);
  }
}

/**
 * Once per process (at server start, or the first action request), then every third of a lease: take over the
 * actions and the server scans whose owner died, wherever they ran (collect what was sent; never send again). The
 * flag only keeps this process from starting the timer twice; who drives an action or a scan is its lease.
 */
export async function ensureResumed(): Promise<void> {
  const g = globalThis as { [KEY]?: boolean };
  if (g[KEY]) return;
  g[KEY] = true;
  // Every third of a lease: an action whose owner died is taken over within about 1.3 leases (40 s by default).
  setInterval(resume, Math.max(1000, (config().leaseTtlSeconds * 1000) / 3)).unref();
  await resume();
}
