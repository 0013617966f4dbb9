import type { AlertStore } from "../store/interfaces.ts";
import type { AlertDelivery } from "./types.ts";
import type { AlertKind, Webhook } from "./webhook-config.ts";

/** A webhook as pages and the API show it: its name, format and events; never its URL or secret. */
export type PublicWebhook = { name: string; format: Webhook["format"]; events: AlertKind[] };

export type AlertsOverview = { webhooks: PublicWebhook[]; deliveries: AlertDelivery[] };

/** What GET /api/alerts and the Alerts page show: the configured webhooks (by name) and the newest attempts. */
export async function alertsOverview(
  store: { alerts: Pick<AlertStore, "recentDeliveries"> },
  webhooks: Webhook[],
  limit = 100,
): Promise<AlertsOverview> {
  // Picked field by field, so that a field added to Webhook later (a header, a token) is never shown by default.
  const shown = webhooks.map((w) => ({ name: w.name, format: w.format, events: [...w.events] }));
  return { webhooks: shown, deliveries: await store.alerts.recentDeliveries(limit) };
}
