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

/** The fields of each kind that go out, picked one by one: a field added to an event later stays home by default. */
function pick(e: AlertEvent): Record<string, unknown> {
  const opt = <K extends string>(k: K, v: unknown) => (v === undefined ? {} : { [k]: v });
  switch (e.kind) {
    case "new-failure":
      return {
        kind: e.kind,
        fleet: e.fleet,
        instanceId: e.instanceId,
        verdict: e.verdict,
        ...opt("group", e.group),
        scanId: e.scanId,
        at: e.at,
      };
    case "automatic-action":
      return {
        kind: e.kind,
        fleet: e.fleet,
        ...opt("group", e.group),
        instanceId: e.instanceId,
        outcome: e.outcome,
        ...opt("actionId", e.actionId),
        policyAuthor: e.policyAuthor,
        at: e.at,
      };
    case "breaker-tripped":
      return {
        kind: e.kind,
        fleet: e.fleet,
        group: e.group,
        failures: e.failures,
        windowMinutes: e.windowMinutes,
        at: e.at,
      };
  }
}

export function renderJson(id: string, events: AlertEvent[], sentAt: string): string {
  const alerts = events.map(pick);
  const body: JsonAlertBody = { type: "fleet-doctor.alerts", version: 1, id, sentAt, count: alerts.length, alerts };
  return JSON.stringify(body);
}
