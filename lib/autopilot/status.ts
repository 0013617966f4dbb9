import type { Config } from "../config.ts";
import type { Store } from "../store/interfaces.ts";
import type { AutopilotStatus } from "./types.ts";

/** What GET /api/autopilot answers: the status, the fleet it is of, and the groups its latest results know. */
export type AutopilotStatusAnswer = AutopilotStatus & { fleet: string; groups: string[] };

/** The kill switch as it stands: the variable wins (it cannot be released from the page), then the page's. */
export async function killSwitchOf(ctx: {
  store: Store;
  config: Pick<Config, "autopilotKilled">;
}): Promise<AutopilotStatus["killSwitch"]> {
  const page = await ctx.store.autopilot.killSwitch();
  if (ctx.config.autopilotKilled) return { engaged: true, source: "variable" };
  if (page.engaged)
    return { engaged: true, source: "page", ...(page.by ? { by: page.by } : {}), ...(page.at ? { at: page.at } : {}) };
  return { engaged: false, ...(page.by ? { by: page.by } : {}), ...(page.at ? { at: page.at } : {}) };
}

/** Autopilot in one fleet: kill switch, policies, tripped breakers, the newest entries, and the groups seen. */
export async function autopilotStatus(
  ctx: { store: Store; fleet: string; config: Pick<Config, "autopilotKilled"> },
  opts: { recent?: number } = {},
): Promise<AutopilotStatusAnswer> {
  const { store, fleet } = ctx;
  const [killSwitch, policies, breakers, recent, byGroup] = await Promise.all([
    killSwitchOf(ctx),
    store.autopilot.policies(fleet),
    store.autopilot.breakers(fleet),
    store.autopilot.recent(fleet, opts.recent ?? 50),
    store.verdictsBy("group", { fleet }),
  ]);
  const groups = [...new Set(byGroup.map((r) => r.key).filter((k): k is string => k !== null))].sort();
  return { fleet, killSwitch, policies, breakers, recent, groups };
}
