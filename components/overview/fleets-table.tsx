"use client";

import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import Table from "@cloudscape-design/components/table";
import { AppLink } from "@/components/shell/app-link.tsx";
import { cap } from "@/components/text/cap.ts";
import { count } from "@/components/text/plural.ts";
import { When } from "@/components/text/when.tsx";
import { VERDICT_STYLE } from "@/components/verdict/verdicts.ts";
import type { Verdict } from "@/lib/diagnosis/types.ts";
import type { ConsoleFleet } from "@/lib/fleets/console-fleets.ts";
import { withFleet } from "@/lib/fleets/fleet-ids.ts";

/** One fleet's line: the fleet as the console lists it, with its counts and last finished scan when it has any. */
export type FleetsTableRow = ConsoleFleet & {
  counts?: Partial<Record<Verdict, number>>;
  total?: number;
  lastScan?: { id: string; startedAt: string; finishedAt?: string };
};

/** The failures worth a column of their own (what to do differs for each); the rest are summed as "other". */
const MAIN: readonly Verdict[] = ["lifecycle-404:ready", "lifecycle-404:blocked", "agent-failed"];

function failing(r: FleetsTableRow, v?: Verdict): number {
  const c = r.counts ?? {};
  if (v) return c[v] ?? 0;
  return Object.entries(c).reduce(
    (n, [k, m]) => (k === "healthy" || MAIN.includes(k as Verdict) ? n : n + (m ?? 0)),
    0,
  );
}

const accountText = (r: FleetsTableRow) => (r.name ? `${cap(r.name, 64)} (${r.account})` : r.account);

/** A count, grey when zero so the eye lands on the fleets that need attention. */
function Count({ n }: { n: number }) {
  return n > 0 ? <Box variant="strong">{n}</Box> : <Box color="text-status-inactive">0</Box>;
}

/**
 * Every fleet in one table, on the overview when there is more than one: where the failures are, which fleet has not
 * been scanned lately, and which one cannot be read at all (its error, for that fleet only). A fleet's name opens the
 * overview of that fleet; its instance count opens its instances.
 */
export function FleetsTable({ fleets, picked }: { fleets: FleetsTableRow[]; picked?: string }) {
  const table = (
    <Table<FleetsTableRow>
      variant="container"
      items={fleets}
      trackBy="id"
      ariaLabels={{ tableLabel: "Fleets" }}
      header={
        <Header
          variant="h2"
          counter={`(${fleets.length})`}
          description="Each account in each region, with its latest verdicts. A fleet that cannot be read says why; the others are unaffected."
        >
          Fleets
        </Header>
      }
      columnDefinitions={[
        {
          id: "account",
          header: "Account",
          isRowHeader: true,
          cell: (r) => (
            <div data-testid={`fleet-${r.id}`}>
              {/* The visible text first (an accessible name must contain it), then what the link does. */}
              <AppLink href={withFleet("/", r.id)} ariaLabel={`${accountText(r)}: show fleet ${r.id}`}>
                {accountText(r)}
              </AppLink>
              {r.id === picked ? <Box variant="small"> (in view)</Box> : null}
              {/* The code here (no column of its own: the table fits); the whole message in the alert above. */}
              {r.error ? (
                <Box>
                  <StatusIndicator type="error">{cap(r.error.code, 60)}</StatusIndicator>
                </Box>
              ) : r.source === "store" ? (
                <Box variant="small" color="text-status-inactive" display="block">
                  Database only: not configured now
                </Box>
              ) : null}
            </div>
          ),
        },
        { id: "region", header: "Region", cell: (r) => r.region },
        {
          id: "instances",
          header: "Instances",
          cell: (r) =>
            r.instances > 0 ? (
              <AppLink href={withFleet("/instances", r.id)} ariaLabel={`${count(r.instances, "instance")} in ${r.id}`}>
                {String(r.instances)}
              </AppLink>
            ) : (
              <Box color="text-status-inactive">0</Box>
            ),
        },
        ...MAIN.map((v) => ({
          id: v,
          header: VERDICT_STYLE[v].label,
          cell: (r: FleetsTableRow) => <Count n={failing(r, v)} />,
        })),
        { id: "other", header: "Other failing", cell: (r) => <Count n={failing(r)} /> },
        {
          id: "lastScan",
          header: "Last scan",
          cell: (r) =>
            r.lastScan ? (
              <AppLink href={`/scans/${encodeURIComponent(r.lastScan.id)}`}>
                <When iso={r.lastScan.finishedAt ?? r.lastScan.startedAt} stacked />
              </AppLink>
            ) : (
              <Box color="text-status-inactive">never</Box>
            ),
        },
      ]}
      wrapLines
    />
  );
  const unreadable = fleets.filter((f) => f.error);
  if (unreadable.length === 0) return table;
  return (
    <SpaceBetween size="s">
      <Alert type="error" header={`${count(unreadable.length, "fleet")} cannot be read`} data-testid="fleet-errors">
        <ul>
          {unreadable.map((f) => (
            <li key={f.id}>
              <Box variant="strong" tagOverride="span">{`${accountText(f)} ${f.region}: `}</Box>
              {`${cap(f.error!.code, 60)}: ${cap(f.error!.message, 300)}`}
            </li>
          ))}
        </ul>
        The other fleets are read and counted as usual.
      </Alert>
      {table}
    </SpaceBetween>
  );
}
