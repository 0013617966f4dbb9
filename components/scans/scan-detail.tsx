"use client";

import { useCollection } from "@cloudscape-design/collection-hooks";
import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Container from "@cloudscape-design/components/container";
import ContentLayout from "@cloudscape-design/components/content-layout";
import ExpandableSection from "@cloudscape-design/components/expandable-section";
import Header from "@cloudscape-design/components/header";
import KeyValuePairs from "@cloudscape-design/components/key-value-pairs";
import Pagination from "@cloudscape-design/components/pagination";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import Table from "@cloudscape-design/components/table";
import TextFilter from "@cloudscape-design/components/text-filter";
import { useMemo, useState } from "react";
import { AppLink } from "@/components/shell/app-link.tsx";
import { Breadcrumbs } from "@/components/shell/breadcrumbs.tsx";
import { cap } from "@/components/text/cap.ts";
import { count } from "@/components/text/plural.ts";
import { formatTime } from "@/components/text/time.ts";
import { VerdictStatus } from "@/components/verdict/verdict-status.tsx";
import { instanceHref } from "@/lib/instances/instance-href.ts";
import { verifiedAction } from "@/lib/scan/verification.ts";
import type { ScanRow } from "@/lib/store/types.ts";
import {
  ERROR_KIND_LABEL,
  ERROR_KINDS,
  emptyProgress,
  groupErrors,
  type InstanceProgress,
  type ScanError,
  type ScanProgress,
} from "./progress.ts";
import { ScanProgressBar } from "./scan-progress-bar.tsx";
import { SCAN_STATUS } from "./scans-table.tsx";
import { describeTargets } from "./targets-text.ts";
import { useScanProgress } from "./use-scan-progress.ts";

export type ScanDetailData = {
  scan: ScanRow;
  instances: InstanceProgress[];
  errors: ScanError[];
  lastSeq: number;
  total?: number;
  offline?: number;
};

const STATE_TEXT = {
  sent: { type: "loading", text: "Probe sent" },
  failed: { type: "error", text: "Not probed" },
  done: { type: "success", text: "Result" },
} as const;

function InstancesProgressTable({
  instances,
  running,
  fleet,
}: {
  instances: InstanceProgress[];
  running: boolean;
  /** The scan's fleet: its instances' links name it (an instance id is only unique inside one fleet). */
  fleet?: string;
}) {
  const { items, collectionProps, filterProps, paginationProps, filteredItemsCount } = useCollection(instances, {
    filtering: {
      fields: ["instanceId", "verdict", "detail", "group"],
      empty: running ? "Waiting for the first results…" : "This scan reached no instance.",
      noMatch: "No instance matches.",
    },
    pagination: { pageSize: 50 },
    sorting: { defaultState: { sortingColumn: { sortingField: "instanceId" } } },
  });
  return (
    <Table<InstanceProgress>
      {...collectionProps}
      header={
        <Header variant="h2" counter={`(${instances.length})`} description="Each instance as its result arrives.">
          Instances in this scan
        </Header>
      }
      ariaLabels={{ tableLabel: "Instances in this scan" }}
      items={items}
      trackBy="instanceId"
      filter={
        <TextFilter
          {...filterProps}
          filteringAriaLabel="Filter instances in this scan"
          filteringPlaceholder="Find an instance, verdict or status"
          countText={count(filteredItemsCount ?? instances.length, "match", "matches")}
        />
      }
      pagination={<Pagination {...paginationProps} />}
      columnDefinitions={[
        {
          id: "instanceId",
          header: "Instance ID",
          cell: (i) => <AppLink href={instanceHref(i.instanceId, fleet)}>{i.instanceId}</AppLink>,
          sortingField: "instanceId",
          isRowHeader: true,
        },
        {
          id: "state",
          header: "Status",
          cell: (i) => <StatusIndicator type={STATE_TEXT[i.state].type}>{STATE_TEXT[i.state].text}</StatusIndicator>,
          sortingField: "state",
        },
        {
          id: "verdict",
          header: "Verdict",
          cell: (i) => (i.verdict ? <VerdictStatus verdict={i.verdict} /> : "-"),
          sortingField: "verdict",
        },
        { id: "detail", header: "SSM status", cell: (i) => cap(i.detail ?? "-", 200) },
        { id: "group", header: "Auto Scaling group", cell: (i) => cap(i.group ?? "-", 255), sortingField: "group" },
      ]}
    />
  );
}

function ErrorGroups({ errors, fleet }: { errors: readonly ScanError[]; fleet?: string }) {
  const grouped = groupErrors(errors);
  return (
    <Container
      header={
        <Header variant="h2" counter={`(${errors.length})`} description="What kept instances from being probed.">
          Errors by kind
        </Header>
      }
    >
      <SpaceBetween size="s">
        {ERROR_KINDS.map((k) => (
          <ExpandableSection
            key={k}
            headerText={`${ERROR_KIND_LABEL[k]} (${grouped[k].length})`}
            defaultExpanded={false}
            data-testid={`errors-${k}`}
          >
            {grouped[k].length === 0 ? (
              <Box color="text-status-inactive">None.</Box>
            ) : (
              <ul style={{ margin: 0, paddingInlineStart: 20 }}>
                {grouped[k].slice(0, 200).map((e, i) => (
                  <li key={i}>
                    {e.instanceId ? <AppLink href={instanceHref(e.instanceId, fleet)}>{e.instanceId}</AppLink> : null}
                    {e.instanceId ? ": " : ""}
                    {cap(e.message, 300)}
                  </li>
                ))}
                {grouped[k].length > 200 ? <li>…and {grouped[k].length - 200} more</li> : null}
              </ul>
            )}
          </ExpandableSection>
        ))}
      </SpaceBetween>
    </Container>
  );
}

/** One scan: its progress (live while it runs), every instance's status, and the errors grouped by kind. */
export function ScanDetail({ data }: { data: ScanDetailData }) {
  const { scan } = data;
  const [initial] = useState<ScanProgress>(() => {
    const p = emptyProgress(scan.id, scan.status);
    p.total = data.total;
    p.offline = data.offline;
    p.done = scan.done;
    p.counts = { ...scan.counts };
    p.lastSeq = data.lastSeq;
    p.errors = [...data.errors];
    for (const i of data.instances) p.instances.set(i.instanceId, i);
    return p;
  });
  const { progress, mode } = useScanProgress(scan.id, { initial });
  const p = progress ?? initial;
  // The model is mutated in place; lastSeq changes with every applied event, so a new array is made per change.
  const seq = p.lastSeq;
  // biome-ignore lint/correctness/useExhaustiveDependencies: seq stands for "the model changed".
  const instances = useMemo(() => [...p.instances.values()], [p.instances, seq]);
  const status = SCAN_STATUS[p.status];
  // A restart's verification scan belongs to its action (lib/scan/verification.ts): say so, and lead back to it.
  const verifying = verifiedAction(scan);

  return (
    <ContentLayout
      breadcrumbs={
        <Breadcrumbs
          items={
            verifying
              ? [
                  { text: "Activity", href: "/activity" },
                  { text: `Action ${verifying.slice(0, 8)}`, href: `/activity/${encodeURIComponent(verifying)}` },
                  { text: "Verification scan", href: `/scans/${encodeURIComponent(scan.id)}` },
                ]
              : [
                  { text: "Scans", href: "/scans" },
                  { text: formatTime(scan.startedAt), href: `/scans/${encodeURIComponent(scan.id)}` },
                ]
          }
        />
      }
      header={
        <Header
          variant="h1"
          description={
            verifying
              ? `The verification of restart ${verifying.slice(0, 8)}: ${describeTargets(scan.targets)} probed again after the restart.`
              : `Scan of ${describeTargets(scan.targets)}`
          }
        >
          {verifying ? "Verification scan" : "Scan"} {scan.id.slice(0, 8)}
        </Header>
      }
    >
      <SpaceBetween size="l">
        <Container header={<Header variant="h2">Progress</Header>}>
          <SpaceBetween size="m">
            <KeyValuePairs
              columns={4}
              items={[
                { label: "Status", value: <StatusIndicator type={status.type}>{status.label}</StatusIndicator> },
                { label: "Started", value: formatTime(scan.startedAt) },
                { label: "Finished", value: formatTime(p.finishedAt ?? scan.finishedAt) },
                { label: "Started by", value: cap(scan.actor ?? "-", 100) },
              ]}
            />
            <ScanProgressBar progress={p} mode={mode} showLink={false} />
            {scan.error ? <Box color="text-status-error">{cap(scan.error, 500)}</Box> : null}
            {(p.ecsNote ?? scan.ecsNote) ? (
              <Alert type="warning" header="No view of ECS" data-testid="scan-ecs-note">
                {cap(p.ecsNote ?? scan.ecsNote ?? "", 500)}
              </Alert>
            ) : null}
          </SpaceBetween>
        </Container>
        <ErrorGroups errors={p.errors} fleet={scan.fleet} />
        <InstancesProgressTable instances={instances} running={p.status === "running"} fleet={scan.fleet} />
      </SpaceBetween>
    </ContentLayout>
  );
}
