import type { AlertSink } from "../alerts/types.ts";
import type { Clients } from "../aws/clients.ts";
import type { Fleet } from "../aws/fleet.ts";
import type { Config } from "../config.ts";
import type { Store } from "../store/interfaces.ts";

/** What a review needs: the watcher's store and clients, the config (kill switch, the restart's), where alerts go. */
export type ReviewContext = {
  store: Store;
  /** The clients of the scan's fleet: its restarts are sent with them. */
  clients: Clients;
  /** The fleet those clients read; a review of another fleet's scan is refused (never restart with wrong clients). */
  clientsFleet?: Fleet;
  config: Pick<
    Config,
    | "autopilotKilled"
    | "restartMaxAgeSeconds"
    | "restartWaitSeconds"
    | "sendRate"
    | "pollRate"
    | "probeTimeoutSeconds"
    | "deliveryTimeoutSeconds"
    | "joinGraceSeconds"
  >;
  alerts: AlertSink;
  /** Aborted when the watcher stops (or loses its leadership): nothing more is claimed or sent. */
  signal?: AbortSignal;
  /** Milliseconds between looks at a running restart command (tests shorten it). */
  pollMs?: number;
};

/** Who autopilot's actions and entries are recorded as (the policy's author is named in each action's reason). */
export const AUTOPILOT_ACTOR = { id: "autopilot", role: "operator" } as const;

/** Breakers and rates count instances in no Auto Scaling group under this group. */
export const NO_GROUP = "";

/** Hands alerts to the sink; a failure there (it retries and logs on its own) never stops a restart or its record. */
export async function tell(alerts: ReviewContext["alerts"], events: Parameters<ReviewContext["alerts"]["send"]>[0]) {
  if (events.length === 0) return;
  await alerts.send(events).catch((e) => console.error("[fleet-doctor] autopilot could not hand alerts over:", e));
}
