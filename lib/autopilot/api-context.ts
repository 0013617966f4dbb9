import { fleetInView } from "../aws/fleet-in-view.ts";
import { config } from "../config.ts";
import { getStore } from "../store/index.ts";

/** What the autopilot routes act on: this process's store and config, and the fleet the server reads. */
export async function autopilotApiContext() {
  return { store: getStore(), config: config(), fleet: (await fleetInView()).id };
}
