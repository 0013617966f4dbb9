import { createClients } from "../aws/clients.ts";
import { config } from "../config.ts";
import { getStore } from "../store/index.ts";
import { resumeActions } from "./request-action.ts";
import type { ActionContext } from "./run-action.ts";

/** What an action needs in this process: clients, the store, config. */
export function defaultActionContext(): ActionContext & { config: ReturnType<typeof config> } {
  const c = config();
  return { clients: createClients(c), store: getStore(), config: c };
}

const KEY = Symbol.for("fleet-doctor.actions-resumed");

/**
 * Once per process, before the first action request is served: take over the actions a dead process left
 * unfinished (collect what was sent; never send again). Also called from instrumentation at server start.
 */
export function ensureResumed(): void {
  const g = globalThis as { [KEY]?: boolean };
  if (g[KEY]) return;
  g[KEY] = true;
  const resumed = resumeActions(defaultActionContext());
  if (resumed.length > 0)
    console.log(`[fleet-doctor] resumed ${resumed.length} unfinished action(s): ${resumed.join(", ")}`);
}
