import { AlertsTables } from "@/components/alerts/alerts-tables.tsx";
import { loadAlerts } from "./data.ts";

export const metadata = { title: "Alerts" };
export const dynamic = "force-dynamic";

export default async function AlertsPage() {
  const { webhooks, deliveries } = await loadAlerts();
  return <AlertsTables webhooks={webhooks} deliveries={deliveries} />;
}
