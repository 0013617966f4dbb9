"use client";

import Box from "@cloudscape-design/components/box";
import Header from "@cloudscape-design/components/header";
import Table from "@cloudscape-design/components/table";
import { AppLink as Link } from "@/components/shell/app-link.tsx";
import { When } from "@/components/text/when.tsx";
import type { AutopilotEntry } from "@/lib/autopilot/types.ts";
import { instanceHref } from "@/lib/instances/instance-href.ts";

const KIND_TEXT: Record<AutopilotEntry["kind"], string> = {
  "restart-sent": "Restart sent",
  verified: "Verified",
  "failed-verification": "Failed verification",
  "dry-run": "Dry run",
  notified: "Alerted",
  skipped: "Skipped",
  "breaker-tripped": "Breaker tripped",
  "breaker-reset": "Breaker reset",
  "policy-changed": "Policy changed",
  "kill-switch": "Kill switch",
};

/** What autopilot did and decided, and every operator's change, newest first; restarts link to their action. */
export function AutopilotLog({ entries }: { entries: AutopilotEntry[] }) {
  return (
    <Table
      data-testid="autopilot-log"
      ariaLabels={{ tableLabel: "Recent automatic actions and decisions" }}
      header={
        <Header counter={`(${entries.length})`} description="Appended, never changed.">
          Recent automatic actions and decisions
        </Header>
      }
      items={entries}
      wrapLines
      empty={<Box textAlign="center">Nothing yet.</Box>}
      columnDefinitions={[
        { id: "at", header: "When", cell: (e) => <When iso={e.at} stacked /> },
        { id: "kind", header: "What", cell: (e) => KIND_TEXT[e.kind] ?? e.kind },
        { id: "group", header: "Group", cell: (e) => (e.group === undefined ? "-" : e.group || "(no group)") },
        {
          id: "instance",
          header: "Instance",
          cell: (e) => (e.instanceId ? <Link href={instanceHref(e.instanceId, e.fleet)}>{e.instanceId}</Link> : "-"),
        },
        { id: "detail", header: "Detail", cell: (e) => e.detail },
        {
          id: "action",
          header: "Action",
          cell: (e) =>
            e.actionId ? (
              <Link href={`/activity/${encodeURIComponent(e.actionId)}`}>{e.actionId.slice(0, 8)}</Link>
            ) : (
              "-"
            ),
        },
        { id: "actor", header: "Who", cell: (e) => e.actor },
      ]}
    />
  );
}
