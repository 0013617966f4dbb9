"use client";

import Header from "@cloudscape-design/components/header";
import Table from "@cloudscape-design/components/table";
import { AppLink as Link } from "@/components/shell/app-link.tsx";
import { cap } from "@/components/text/cap.ts";
import { formatTime } from "@/components/text/time.ts";
import { VerdictStatus } from "@/components/verdict/verdict-status.tsx";
import type { HistoryEntry } from "./types.ts";

export function InstanceHistory({ history }: { history: HistoryEntry[] }) {
  return (
    <Table<HistoryEntry>
      header={
        <Header variant="h2" counter={`(${history.length})`} description="This instance in every scan, newest first.">
          History
        </Header>
      }
      ariaLabels={{ tableLabel: "Scan history" }}
      items={history}
      trackBy={(h) => `${h.scanId}-${h.probedAt}`}
      empty="This instance has not been scanned before."
      columnDefinitions={[
        { id: "probedAt", header: "Probed", cell: (h) => formatTime(h.probedAt), isRowHeader: true, minWidth: 200 },
        { id: "verdict", header: "Verdict", cell: (h) => <VerdictStatus verdict={h.verdict} />, minWidth: 170 },
        { id: "summary", header: "Summary", cell: (h) => cap(h.summary, 300) },
        { id: "version", header: "Agent version", cell: (h) => cap(h.agentVersion ?? "-", 40) },
        { id: "lifecycle", header: "Lifecycle state", cell: (h) => cap(h.lifecycleState ?? "-", 40) },
        {
          id: "scan",
          header: "Scan",
          cell: (h) => <Link href={`/scans/${encodeURIComponent(h.scanId)}`}>{h.scanId.slice(0, 8)}</Link>,
        },
      ]}
      wrapLines
    />
  );
}
