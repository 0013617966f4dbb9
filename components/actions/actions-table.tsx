"use client";

import Box from "@cloudscape-design/components/box";
import Header from "@cloudscape-design/components/header";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import Table from "@cloudscape-design/components/table";
import type { ReactNode } from "react";
import { AppLink as Link } from "@/components/shell/app-link.tsx";
import { When } from "@/components/text/when.tsx";
import type { ActionRow } from "@/lib/actions/types.ts";
import { ACTION_STATUS, KIND_TEXT, OUTCOME } from "./outcome-text.ts";

/** Every action, newest first: who did what, to how many instances, why, and how it ended. */
export function ActionsTable({ actions }: { actions: ActionRow[] }) {
  return (
    <Table
      data-testid="actions-table"
      variant="full-page"
      header={
        <Header
          variant="awsui-h1-sticky"
          counter={`(${actions.length})`}
          description="Every restart, who asked for it, why, and how each instance came out. Kept append-only."
        >
          Activity
        </Header>
      }
      items={actions}
      trackBy="id"
      empty={
        <Box textAlign="center">
          No actions yet. Restart an agent from an instance&apos;s page or the instance list.
        </Box>
      }
      columnDefinitions={[
        {
          id: "id",
          header: "Action",
          cell: (a) => <Link href={`/activity/${encodeURIComponent(a.id)}`}>{a.id.slice(0, 8)}</Link>,
        },
        { id: "kind", header: "Remedy", cell: (a) => `${KIND_TEXT[a.kind] ?? a.kind}${a.forced ? " (forced)" : ""}` },
        { id: "when", header: "When", cell: (a) => <When iso={a.createdAt} stacked /> },
        { id: "actor", header: "Who", cell: (a) => `${a.actor.slice(0, 120)} (${a.actorRole})` },
        {
          id: "instances",
          header: "Instances",
          cell: (a) => (a.requested.length === 1 ? a.requested[0] : `${a.requested.length} instances`),
        },
        {
          id: "status",
          header: "Status",
          cell: (a) => {
            const s = ACTION_STATUS[a.status] ?? { text: a.status, type: "info" as const };
            return <StatusIndicator type={s.type}>{s.text}</StatusIndicator>;
          },
        },
        {
          id: "outcomes",
          header: "Outcomes",
          cell: (a) => (
            <Wraps>
              {Object.entries(a.counts)
                .map(([k, n]) => `${n} ${OUTCOME[k as keyof typeof OUTCOME]?.text.toLowerCase() ?? k}`)
                .join(", ") || "-"}
            </Wraps>
          ),
        },
        { id: "reason", header: "Why", cell: (a) => <Wraps>{a.reason ? a.reason.slice(0, 120) : "-"}</Wraps> },
      ]}
    />
  );
}

/**
 * Free text that wraps at word boundaries inside its cell (the table keeps its other cells on one line), so the
 * table fits at 1280 px with the navigation open however long a reason is.
 */
function Wraps({ children }: { children: ReactNode }) {
  return (
    <span style={{ display: "inline-block", whiteSpace: "normal", minWidth: 120, maxWidth: 200 }}>{children}</span>
  );
}
