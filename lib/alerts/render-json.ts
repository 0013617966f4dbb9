import type { AlertEvent } from "./types.ts";

/**
 * The generic webhook's body (version 1), signed (lib/alerts/sign.ts):
 *   { "type": "fleet-doctor.alerts", "version": 1, "id": "<message id>", "sentAt": "<ISO time>", "count": n,
 *     "alerts": [ { "kind": "new-failure", "fleet", "instanceId", "verdict", "group"?, "scanId", "at" }
 *               | { "kind": "automatic-action", "fleet", "group"?, "instanceId", "outcome", "actionId"?, "policyAuthor", "at" }
 *               | { "kind": "breaker-tripped", "fleet", "group", "failures", "windowMinutes", "at" } ] }
 * A new failure's summary is left out: it may quote what the instance wrote.
 */
export type JsonAlertBody = {
  type: "fleet-doctor.alerts";
  version: 1;
  id: string;
  sentAt: string;
  count: number;
  alerts: unknown[];
};

export function renderJson(id: string, events: AlertEvent[], sentAt: string): string {
  const alerts = events.map((e) => {
    if (e.kind !== "new-failure") return e;
    const { summary: _left, ...rest } = e;
    return rest;
  });
  const body: JsonAlertBody = { type: "fleet-doctor.alerts", version: 1, id, sentAt, count: alerts.length, alerts };
  return JSON.stringify(body);
}
