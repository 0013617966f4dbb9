import type { Actor } from "../auth/roles.ts";
import type { Config } from "../config.ts";
import type { Store } from "../store/interfaces.ts";
import { killSwitchRequestSchema, parseBody } from "./requests.ts";
import { killSwitchOf } from "./status.ts";
import type { AutopilotStatus } from "./types.ts";

/** Engages or releases the page's kill switch (logged); the answer is the switch as it now stands, variable included. */
export async function setKillSwitch(
  input: unknown,
  actor: Actor,
  ctx: { store: Store; fleet: string; config: Pick<Config, "autopilotKilled"> },
): Promise<AutopilotStatus["killSwitch"]> {
  const { engaged } = parseBody(killSwitchRequestSchema, input);
  await ctx.store.autopilot.setKillSwitch(engaged, actor.id, ctx.fleet);
  return killSwitchOf(ctx);
}
