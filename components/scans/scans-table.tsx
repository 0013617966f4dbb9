"use client";

import { useCollection } from "@cloudscape-design/collection-hooks";
import Box from "@cloudscape-design/components/box";
import Header from "@cloudscape-design/components/header";
import Pagination from "@cloudscape-design/components/pagination";
import StatusIndicator, { type StatusIndicatorProps } from "@cloudscape-design/components/status-indicator";
import Table from "@cloudscape-design/components/table";
import { AppLink } from "@/components/shell/app-link.tsx";
import { cap } from "@/components/text/cap.ts";
import { formatDuration } from "@/components/text/time.ts";
import { When } from "@/components/text/when.tsx";
import type { ScanStatus } from "@/lib/scan/types.ts";
import type { ScanRow } from "@/lib/store/types.ts";
import { describeTargets } from "./targets-text.ts";

export type ScanListRow = ScanRow;

export const SCAN_STATUS: Record<ScanStatus, { type: StatusIndicatorProps.Type; label: string }> = {
  running: { type: "in-progress", label: "Running" },
  completed: { type: "success", label: "Completed" },
  partial: { type: "warning", label: "Partial" },
  cancelled: { type: "stopped", label: "Cancelled" },
  failed: { type: "error", label: "Failed" },
  interrupted: { type: "warning", label: "Interrupted" },
};

export function ScansTable({ scans }: { scans: ScanListRow[] }) {
  // A scan reads one fleet: with scans of several fleets listed, each says which (account above region).
  const severalFleets = new Set(scans.map((s) => s.fleet ?? "")).size > 1;
  const { items, collectionProps, paginationProps } = useCollection(scans, {
    pagination: { pageSize: 25 },
    sorting: {},
  });
  return (
    <Table<ScanListRow>
      {...collectionProps}
      variant="full-page"
      header={
        <Header variant="awsui-h1-sticky" counter={`(${scans.length})`} description="Every scan, newest first.">
          Scans
        </Header>
      }
      ariaLabels={{ tableLabel: "Scans" }}
      items={items}
      trackBy="id"
      pagination={<Pagination {...paginationProps} />}
      empty={
        <Box textAlign="center" color="inherit">
          <Box variant="strong" color="inherit">
            No scans yet
          </Box>
          <Box variant="p" color="inherit">
            Start one from the <AppLink href="/">Fleet</AppLink> page.
          </Box>
        </Box>
      }
      columnDefinitions={[
        {
          id: "startedAt",
          header: "Started",
          cell: (s) => (
            <AppLink href={`/scans/${encodeURIComponent(s.id)}`}>
              <When iso={s.startedAt} stacked />
            </AppLink>
          ),
          sortingField: "startedAt",
          isRowHeader: true,
        },
        {
          id: "status",
          header: "Status",
          cell: (s) => (
            <StatusIndicator type={SCAN_STATUS[s.status].type}>
              {SCAN_STATUS[s.status].label}
              {s.status === "partial" && s.error ? `: ${s.error}` : ""}
            </StatusIndicator>
          ),
          sortingField: "status",
        },
        ...(severalFleets
          ? [
              {
                id: "fleet",
                header: "Fleet",
                cell: (s: ScanListRow) => {
                  const [account, region] = (s.fleet ?? "-").split("/");
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
        { id: "targets", header: "Targets", cell: (s) => describeTargets(s.targets) },
        {
          id: "done",
          header: "Instances",
          cell: (s) => (s.total !== undefined && s.total !== null ? `${s.done} of ${s.total}` : String(s.done)),
          sortingField: "done",
        },
        {
          id: "fixable",
          header: "Fixable",
          cell: (s) => s.counts["lifecycle-404:ready"] ?? 0,
        },
        {
          id: "attention",
          header: "Attention",
          cell: (s) => s.done - (s.counts.healthy ?? 0),
        },
        {
          id: "duration",
          header: "Took",
          cell: (s) => (s.finishedAt ? formatDuration(Date.parse(s.finishedAt) - Date.parse(s.startedAt)) : "-"),
        },
        { id: "actor", header: "By", cell: (s) => cap(s.actor ?? "-", 100) },
      ]}
    />
  );
}
