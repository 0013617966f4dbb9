import "server-only";
import { type AlertsOverview, alertsOverview } from "@/lib/alerts/alerts-overview.ts";
import { config } from "@/lib/config.ts";
import { getStore } from "@/lib/store/index.ts";
import { currentViewer } from "../_data/viewer.ts";

/** The Alerts page's data: what GET /api/alerts answers (webhooks by name only; the newest attempts). */
export async function loadAlerts(): Promise<AlertsOverview> {
  await currentViewer();
  return alertsOverview(getStore(), config().webhooks, 200);
}
