"use client";

import Header from "@cloudscape-design/components/header";
import StatusIndicator, { type StatusIndicatorProps } from "@cloudscape-design/components/status-indicator";
import Table from "@cloudscape-design/components/table";
import { useState } from "react";
import { AppLink } from "@/components/shell/app-link.tsx";
import { cap } from "@/components/text/cap.ts";
import { formatDuration } from "@/components/text/time.ts";
import { When } from "@/components/text/when.tsx";
import type { SweepFleetView, SweepStatus, SweepView } from "@/lib/scan/sweep-types.ts";
import { SCAN_STATUS } from "./scans-table.tsx";
import { describeTargets } from "./targets-text.ts";

/** A sweep, or one fleet of it (a child row): a denied account is an error row of its own fleet. */
type Row = { id: string; sweep: SweepView; fleet?: SweepFleetView };

const SWEEP_STATUS: Record<SweepStatus, { type: StatusIndicatorProps.Type; label: string }> = {
  running: { type: "in-progress", label: "Running" },
  completed: { type: "success", label: "Completed" },
  partial: { type: "warning", label: "Partial" },
};

/** An error's text comes from AWS (or the fleets file): shown as text, capped. */
const ERROR_CAP = 300;

function fleetStatus(f: SweepFleetView) {
  if (f.error) {
    return <StatusIndicator type="error">{cap(`${f.error.code}: ${f.error.message}`, ERROR_CAP)}</StatusIndicator>;
  }
  if (!f.scan) return <StatusIndicator type="pending">Waiting</StatusIndicator>;
  const s = SCAN_STATUS[f.scan.status];
  return (
    <StatusIndicator type={s.type}>
      {s.label}
      {f.joined ? " (joined a running scan)" : ""}
    </StatusIndicator>
  );
}

/**
 * Scans over several fleets, one row per sweep with a child row per fleet (expanded at first, so a fleet in error is
 * seen without a click); each fleet's scan opens on its own page, as any scan.
 */
export function SweepsTable({ sweeps }: { sweeps: SweepView[] }) {
  const rows: Row[] = sweeps.map((s) => ({ id: s.id, sweep: s }));
  const [expanded, setExpanded] = useState<Row[]>(rows);
  const children = (r: Row): Row[] =>
    r.fleet ? [] : r.sweep.fleets.map((f) => ({ id: `${r.sweep.id}/${f.fleet}`, sweep: r.sweep, fleet: f }));
  return (
    <Table<Row>
      variant="container"
      header={
        <Header
          counter={`(${sweeps.length})`}
          description="Scans over several fleets (accounts and regions), newest first."
        >
          Sweeps
        </Header>
      }
      ariaLabels={{ tableLabel: "Sweeps" }}
      items={rows}
      trackBy="id"
      // A fleet's error (a denied role) is a long sentence: it wraps rather than running off the table.
      wrapLines
      expandableRows={{
        getItemChildren: children,
        isItemExpandable: (r) => !r.fleet,
        expandedItems: expanded,
        onExpandableItemToggle: ({ detail }) =>
          setExpanded((now) => (detail.expanded ? [...now, detail.item] : now.filter((r) => r.id !== detail.item.id))),
      }}
      columnDefinitions={[
        {
          id: "what",
          header: "Started / fleet",
          isRowHeader: true,
          cell: (r) => {
            if (!r.fleet) return <When iso={r.sweep.startedAt} stacked />;
            const f = r.fleet;
            return f.scanId ? <AppLink href={`/scans/${encodeURIComponent(f.scanId)}`}>{f.fleet}</AppLink> : f.fleet;
          },
        },
        {
          id: "status",
          header: "Status",
          cell: (r) =>
            r.fleet ? (
              fleetStatus(r.fleet)
            ) : (
              <StatusIndicator type={SWEEP_STATUS[r.sweep.status].type}>
                {SWEEP_STATUS[r.sweep.status].label}
                {` (${r.sweep.fleets.filter((f) => f.error).length} of ${r.sweep.fleets.length} fleets in error)`}
              </StatusIndicator>
            ),
        },
        { id: "targets", header: "Targets", cell: (r) => (r.fleet ? "" : describeTargets(r.sweep.targets)) },
        {
          id: "done",
          header: "Instances",
          cell: (r) => {
            const scans = r.fleet ? [r.fleet.scan] : r.sweep.fleets.map((f) => f.scan);
            return scans.reduce((n, s) => n + (s?.done ?? 0), 0);
          },
        },
        {
          id: "attention",
          header: "Attention",
          cell: (r) => {
            const scans = r.fleet ? [r.fleet.scan] : r.sweep.fleets.map((f) => f.scan);
            return scans.reduce((n, s) => n + (s ? s.done - (s.counts.healthy ?? 0) : 0), 0);
          },
        },
        {
          id: "duration",
          header: "Took",
          cell: (r) => {
            const span = r.fleet ? r.fleet.scan : r.sweep;
            return span?.finishedAt ? formatDuration(Date.parse(span.finishedAt) - Date.parse(span.startedAt)) : "-";
          },
        },
        { id: "actor", header: "By", cell: (r) => (r.fleet ? "" : cap(r.sweep.actor ?? "-", 100)) },
      ]}
    />
  );
}
