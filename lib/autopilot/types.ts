/**
 * Autopilot: what Fleet Doctor does by itself when the watcher finds a failure, set per Auto Scaling group of a fleet
 * (and a default for the groups without their own policy) by an operator. Off by default.
 */
export const AUTOPILOT_MODES = ["off", "notify", "restart"] as const;
export type AutopilotMode = (typeof AUTOPILOT_MODES)[number];

export type Policy = {
  fleet: string;
  /** The group's name, or null for the fleet's default policy. */
  group: string | null;
  mode: AutopilotMode;
  /** Records what it would have done, sends nothing. */
  dryRun: boolean;
  /** At most this many automatic restarts per group per hour. */
  maxRestartsPerHour: number;
  /** The breaker: this many failed verifications within `breakerWindowMinutes` stop the group's autopilot. */
  breakerFailures: number;
  breakerWindowMinutes: number;
  /** Who set it (recorded with every automatic action), and when. */
  author: string;
  updatedAt: string;
};

/** One thing autopilot did or decided, newest first on the Watch page. Appended, never changed. */
export type AutopilotEntry = {
  at: string;
  fleet: string;
  group?: string;
  instanceId?: string;
  kind:
    | "restart-sent"
    | "verified"
    | "failed-verification"
    | "dry-run"
    | "notified"
    | "skipped"
    | "breaker-tripped"
    | "breaker-reset"
    | "policy-changed"
    | "kill-switch";
  /** Why (skipped: rate limit, breaker, preflight refusal, ...), in words. */
  detail: string;
  actionId?: string;
  actor: string;
  /** An operator's change (policy-changed, kill-switch, breaker-reset): the state before and after it. */
  change?: { before: unknown; after: unknown };
};

export type AutopilotStatus = {
  /** The kill switch: on by the variable (FLEET_DOCTOR_AUTOPILOT=off) or the page; who and when for the page's. */
  killSwitch: { engaged: boolean; source?: "variable" | "page"; by?: string; at?: string };
  policies: Policy[];
  breakers: { fleet: string; group: string; trippedAt: string; failures: number }[];
  recent: AutopilotEntry[];
};
