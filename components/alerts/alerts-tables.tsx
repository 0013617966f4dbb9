"use client";

import Box from "@cloudscape-design/components/box";
import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator, { type StatusIndicatorProps } from "@cloudscape-design/components/status-indicator";
import Table from "@cloudscape-design/components/table";
import { When } from "@/components/text/when.tsx";
import type { PublicWebhook } from "@/lib/alerts/alerts-overview.ts";
import type { AlertDelivery } from "@/lib/alerts/types.ts";

const STATUS: Record<AlertDelivery["status"], { type: StatusIndicatorProps.Type; text: string }> = {
  delivered: { type: "success", text: "Delivered" },
  retrying: { type: "pending", text: "Failed, retried" },
  failed: { type: "error", text: "Failed" },
};

const FORMAT: Record<PublicWebhook["format"], string> = {
  slack: "Slack incoming webhook",
  json: "JSON, signed (HMAC-SHA256)",
};

const KIND: Record<string, string> = {
  "new-failure": "New failures",
  "automatic-action": "Automatic actions",
  "breaker-tripped": "Circuit breakers",
};

const kinds = (ks: string[]) => ks.map((k) => KIND[k] ?? k).join(", ");

/** The Alerts page: the webhooks as configured (by name: their URLs and secrets are never sent here) and every attempt. */
export function AlertsTables({ webhooks, deliveries }: { webhooks: PublicWebhook[]; deliveries: AlertDelivery[] }) {
  return (
    <ContentLayout
      header={
        <Header
          variant="h1"
          description="Webhooks that hear of new failing instances, automatic actions and tripped circuit breakers, and every attempt to deliver to them."
        >
          Alerts
        </Header>
      }
    >
      <SpaceBetween size="l">
        <Table
          data-testid="alert-webhooks"
          ariaLabels={{ tableLabel: "Webhooks" }}
          header={
            <Header
              variant="h2"
              counter={`(${webhooks.length})`}
              description="Set in FLEET_DOCTOR_WEBHOOKS. Shown by name: URLs and secrets stay on the server."
            >
              Webhooks
            </Header>
          }
          items={webhooks}
          trackBy="name"
          empty={<Box textAlign="center">No webhooks configured: set FLEET_DOCTOR_WEBHOOKS to send alerts.</Box>}
          columnDefinitions={[
            { id: "name", header: "Name", cell: (w) => w.name },
            { id: "format", header: "Format", cell: (w) => FORMAT[w.format] ?? w.format },
            { id: "events", header: "Alerts on", cell: (w) => kinds(w.events) },
          ]}
        />
        <Table
          data-testid="alert-deliveries"
          ariaLabels={{ tableLabel: "Delivery log" }}
          header={
            <Header
              variant="h2"
              counter={`(${deliveries.length})`}
              description="One row per attempt, newest first. Failed attempts are retried with backoff on network errors, 429 and 5xx."
            >
              Delivery log
            </Header>
          }
          items={deliveries}
          trackBy="id"
          empty={<Box textAlign="center">No alerts sent yet.</Box>}
          columnDefinitions={[
            { id: "at", header: "When", cell: (d) => <When iso={d.at} stacked /> },
            { id: "webhook", header: "Webhook", cell: (d) => d.webhook },
            { id: "kinds", header: "Alerts", cell: (d) => `${d.count} (${kinds(d.kinds)})` },
            {
              id: "status",
              header: "Status",
              cell: (d) => {
                const s = STATUS[d.status] ?? { type: "info" as const, text: d.status };
                return <StatusIndicator type={s.type}>{s.text}</StatusIndicator>;
              },
            },
            { id: "attempt", header: "Attempt", cell: (d) => d.attempts },
            {
              id: "answer",
              header: "Answer",
              cell: (d) => (d.httpStatus !== undefined ? `HTTP ${d.httpStatus}` : (d.error ?? "-")),
            },
            {
              id: "message",
              header: "Message",
              cell: (d) => <Box variant="code">{d.id.split(".")[0]?.slice(0, 8)}</Box>,
            },
          ]}
        />
      </SpaceBetween>
    </ContentLayout>
  );
}
