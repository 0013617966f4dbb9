"use client";

import Header from "@cloudscape-design/components/header";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import Table from "@cloudscape-design/components/table";
import { ACTION_STATUS, KIND_TEXT, OUTCOME } from "@/components/actions/outcome-text.ts";
import { AppLink as Link } from "@/components/shell/app-link.tsx";
import { cap } from "@/components/text/cap.ts";
import { formatTime } from "@/components/text/time.ts";
import { VerdictStatus } from "@/components/verdict/verdict-status.tsx";
import type { InstanceOutcomeKind } from "@/lib/actions/types.ts";
import type { ActionEntry, HistoryEntry } from "./types.ts";

/** One line of the history: a scan's diagnosis of the instance, or an action on it. */
type Line = { at: string; key: string } & ({ scan: HistoryEntry } | { action: ActionEntry });

function lines(history: HistoryEntry[], actions: ActionEntry[]): Line[] {
  return [
    ...history.map((h): Line => ({ at: h.probedAt, key: `scan-${h.scanId}-${h.probedAt}`, scan: h })),
    ...actions.map((a): Line => ({ at: a.createdAt, key: `action-${a.id}`, action: a })),
  ].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}

function ActionResult({ a }: { a: ActionEntry }) {
  const o = a.outcome ? OUTCOME[a.outcome as InstanceOutcomeKind] : undefined;
  const s = o ?? ACTION_STATUS[a.status] ?? { text: a.status, type: "info" as const };
  return <StatusIndicator type={s.type}>{s.text}</StatusIndicator>;
}

/** This instance in every scan, and every action on it, newest first. */
export function InstanceHistory({ history, actions = [] }: { history: HistoryEntry[]; actions?: ActionEntry[] }) {
  const items = lines(history, actions);
  return (
    <Table<Line>
      data-testid="instance-history"
      header={
        <Header
          variant="h2"
          counter={`(${items.length})`}
          description="Every scan of this instance and every action on it, newest first."
        >
          History
        </Header>
      }
      ariaLabels={{ tableLabel: "History of scans and actions" }}
      items={items}
      trackBy="key"
      empty="This instance has not been scanned before."
      columnDefinitions={[
        { id: "at", header: "When (UTC)", cell: (l) => formatTime(l.at), isRowHeader: true, minWidth: 190 },
        {
          id: "what",
          header: "What",
          cell: (l) =>
            "scan" in l ? (
              <Link href={`/scans/${encodeURIComponent(l.scan.scanId)}`}>
                {`${l.scan.verifiedAction ? "Verification scan" : "Scan"} ${l.scan.scanId.slice(0, 8)}`}
              </Link>
            ) : (
              <Link href={`/activity/${encodeURIComponent(l.action.id)}`}>
                {`${KIND_TEXT[l.action.kind] ?? l.action.kind} ${l.action.id.slice(0, 8)}`}
              </Link>
            ),
          minWidth: 150,
        },
        {
          id: "result",
          header: "Verdict or outcome",
          cell: (l) => ("scan" in l ? <VerdictStatus verdict={l.scan.verdict} /> : <ActionResult a={l.action} />),
          minWidth: 170,
        },
        {
          id: "summary",
          header: "Summary",
          cell: (l) => ("scan" in l ? cap(l.scan.summary, 300) : `by ${cap(l.action.actor, 120)}`),
        },
        {
          id: "version",
          header: "Agent version",
          cell: (l) => ("scan" in l ? cap(l.scan.agentVersion ?? "-", 40) : ""),
        },
      ]}
      wrapLines
    />
  );
}
