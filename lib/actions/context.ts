import { createClients } from "../aws/clients.ts";
import { config } from "../config.ts";
import { FleetDoctorError } from "../errors.ts";
import { clientsForFleet } from "../fleets/clients-for-fleet.ts";
import { fleetOfTarget } from "../fleets/fleet-of-target.ts";
import { listFleets } from "../fleets/list-fleets.ts";
import type { FleetTarget } from "../fleets/types.ts";
import { defaultScanContext } from "../scan/context.ts";
import { resumeScans } from "../scan/resume-scans.ts";
import { getStore } from "../store/index.ts";
import type { Store } from "../store/interfaces.ts";
import { resumeActions } from "./request-action.ts";
import type { ActionContext } from "./run-action.ts";
import type { ActionRow } from "./types.ts";

type ProcessActionContext = ActionContext & { config: ReturnType<typeof config> };

/** What an action needs in this process: clients, the store, config (the default credentials' one fleet). */
export function defaultActionContext(): ProcessActionContext {
  const c = config();
  return { clients: createClients(c), store: getStore(), config: c };
}

/**
 * An action on one fleet: that fleet's clients (its assumed role, with the user in the session name for
 * CloudTrail), and the fleet named so its probe after the restart is stored under it.
 */
export function fleetActionContext(
  target: FleetTarget,
  user: string,
  store: Store = getStore(),
  c: ReturnType<typeof config> = config(),
): ProcessActionContext {
  return {
    clients: clientsForFleet(target, c, { user }),
    store,
    config: c,
    clientsFleet: fleetOfTarget(target),
  };
}

/**
 * The context of a stored action: its own fleet's (as configured now), or the default one for an action from
 * before fleets. Throws when its fleet is no longer configured: it is left for a process that reads that fleet.
 */
export async function actionContextFor(
  action: ActionRow,
  store: Store = getStore(),
  c: ReturnType<typeof config> = config(),
): Promise<ProcessActionContext> {
  if (!action.fleet) return { clients: createClients(c), store, config: c };
  const view = await listFleets(c);
  const target = view.targets.find((t) => t.id === action.fleet);
  if (!target) throw new FleetDoctorError("NOT_FOUND", `fleet ${action.fleet} is not configured here`);
  return fleetActionContext(target, action.actor, store, c);
}

const KEY = Symbol.for("fleet-doctor.actions-resumed");

async function resume(): Promise<void> {
  try {
    const resumed = await resumeActions(defaultActionContext(), (a) => actionContextFor(a));
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
