import type { AlertKind } from "./webhook-config.ts";

/** What an alert says, before a webhook's format renders it. Instance ids and verdicts only: no instance text. */
export type AlertEvent =
  | {
      kind: "new-failure";
      fleet: string;
      instanceId: string;
      verdict: string;
      group?: string;
      summary: string;
      scanId: string;
      at: string;
    }
  | {
      kind: "automatic-action";
      fleet: string;
      group?: string;
      instanceId: string;
      /** restart-sent, verified, failed-verification, dry-run. */
      outcome: string;
      actionId?: string;
      policyAuthor: string;
      at: string;
    }
  | { kind: "breaker-tripped"; fleet: string; group: string; failures: number; windowMinutes: number; at: string };

/**
 * Where autopilot's review hands alerts. `send`: several at once become one message per webhook (grouped); a
 * `new-failure` already alerted for this instance and verdict is dropped (deduplicated, in the store); deliveries
 * are retried with backoff and logged. `resolved`: these instances were seen healthy, so their next failure alerts
 * again.
 */
export type AlertSink = {
  send(events: AlertEvent[]): Promise<void>;
  resolved(fleet: string, instanceIds: string[]): Promise<void>;
};

/** One attempt to deliver one message to one webhook, as the delivery log shows it. */
export type AlertDelivery = {
  id: string;
  webhook: string;
  kinds: AlertKind[];
  /** How many alerts the message grouped. */
  count: number;
  status: "delivered" | "retrying" | "failed";
  attempts: number;
  httpStatus?: number;
  error?: string;
  at: string;
};
