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

/**
 * Every action, newest first: who did what, to how many instances, why, and how it ended. Every column fits at
 * 1280 px with the navigation open: the free text (remedy, who, outcomes, why) wraps between words within a bound,
 * ids and times never wrap, and the outcomes go under the status rather than in a column of their own.
 */
export function ActionsTable({ actions }: { actions: ActionRow[] }) {
  return (
    <Table
      data-testid="actions-table"
      ariaLabels={{ tableLabel: "Activity" }}
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
        {
          id: "kind",
          header: "Remedy",
          cell: (a) => <Wraps max={140}>{`${KIND_TEXT[a.kind] ?? a.kind}${a.forced ? " (forced)" : ""}`}</Wraps>,
        },
        { id: "when", header: "When", cell: (a) => <When iso={a.createdAt} stacked /> },
        {
          id: "actor",
          header: "Who",
          // An identity from the ALB can be a long address without a space: it breaks at the bound.
          cell: (a) => <Wraps max={160}>{`${a.actor.slice(0, 120)} (${a.actorRole})`}</Wraps>,
        },
        // An instance id is only unique inside one fleet: with several, the audit says which fleet's instance was
        // restarted (account above region, so the table still fits at 1280 px); with one there is nothing to tell.
        ...(new Set(actions.map((a) => a.fleet ?? "")).size > 1
          ? [
              {
                id: "fleet",
                header: "Fleet",
                cell: (a: (typeof actions)[number]) => {
                  const [account, region] = (a.fleet ?? "-").split("/");
                  return (
                    <>
                      <Box>{account}</Box>
                      {region ? <Box variant="small">{region}</Box> : null}
                    </>
                  );
                },
              },
            ]
          : []),
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
            const outcomes = Object.entries(a.counts)
              .map(([k, n]) => `${n} ${OUTCOME[k as keyof typeof OUTCOME]?.text.toLowerCase() ?? k}`)
              .join(", ");
            return (
              <div>
                <StatusIndicator type={s.type}>{s.text}</StatusIndicator>
                {outcomes ? (
                  <Box variant="small" color="text-body-secondary" display="block">
                    <Wraps max={160}>{outcomes}</Wraps>
                  </Box>
                ) : null}
              </div>
            );
          },
        },
        {
          id: "reason",
          header: "Why",
          cell: (a) => (
            <Wraps min={100} max={200}>
              {a.reason ? a.reason.slice(0, 120) : "-"}
            </Wraps>
          ),
        },
      ]}
    />
  );
}

/**
 * Free text that wraps between words (the table keeps its cells on one line) and is never wider than `max`, so the
 * browser can narrow its column to the longest word when the page is narrow; a longer word breaks at `max`.
 */
function Wraps({ children, min, max }: { children: ReactNode; min?: number; max: number }) {
  return (
    <span
      style={{
        display: "inline-block",
        whiteSpace: "normal",
        overflowWrap: "break-word",
        minWidth: min,
        maxWidth: max,
      }}
    >
      {children}
    </span>
  );
}
