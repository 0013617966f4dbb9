"use client";

import StatusIndicator from "@cloudscape-design/components/status-indicator";
import Table from "@cloudscape-design/components/table";
import { AppLink } from "@/components/shell/app-link.tsx";
import { cap } from "@/components/text/cap.ts";
import { When } from "@/components/text/when.tsx";
import type { FleetWatch } from "@/lib/watch/types.ts";

/**
 * Each fleet the watcher reads (with a fleets file): its last look, its next, and its own trouble. A fleet whose role
 * cannot be assumed is an error of its own here; the others go on.
 */
export function FleetWatchTable({ fleets }: { fleets: FleetWatch[] }) {
  return (
    <Table
      data-testid="watch-fleets"
      variant="embedded"
      ariaLabels={{ tableLabel: "Fleets watched" }}
      items={fleets}
      trackBy="fleet"
      // A denied fleet's error is a long AWS sentence: it wraps in its column rather than widening the page.
      wrapLines
      columnDefinitions={[
        {
          id: "fleet",
          header: "Fleet",
          cell: (f) => `${f.fleet}${f.name ? ` (${cap(f.name, 60)})` : ""}`,
        },
        {
          id: "state",
          header: "State",
          cell: (f) =>
            f.error ? (
              <StatusIndicator type="error">
                {cap(f.error.code, 60)}: {cap(f.error.message, 300)}
              </StatusIndicator>
            ) : f.behind ? (
              <StatusIndicator type="warning">Behind: {cap(f.behind.reason, 200)}</StatusIndicator>
            ) : f.lastLook ? (
              <StatusIndicator type="success">Watching</StatusIndicator>
            ) : (
              <StatusIndicator type="pending">No look yet</StatusIndicator>
            ),
        },
        {
          id: "last",
          header: "Last look",
          cell: (f) =>
            f.lastLook ? (
              <>
                <When iso={f.lastLook.at} /> · {f.lastLook.seen} seen
                {f.lastLook.scanId ? (
                  <>
                    {" · "}
                    <AppLink href={`/scans/${encodeURIComponent(f.lastLook.scanId)}`}>probe</AppLink>
                  </>
                ) : null}
              </>
            ) : (
              "-"
            ),
        },
        { id: "next", header: "Next look", cell: (f) => (f.nextLookAt ? <When iso={f.nextLookAt} /> : "-") },
      ]}
    />
  );
}
