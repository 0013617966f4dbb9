"use client";

import { useCollection } from "@cloudscape-design/collection-hooks";
import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Header from "@cloudscape-design/components/header";
import Select, { type SelectProps } from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import { useState } from "react";
import { AppLink } from "@/components/shell/app-link.tsx";
import { cap } from "@/components/text/cap.ts";
import type { Exposure, GroupExposure } from "@/lib/exposure/types.ts";
import { ExposureStatus } from "./exposure-status.tsx";
import { agentText, EXPOSURE_STYLE, launchText, withFleet } from "./exposure-text.ts";
import { MemberVerdicts } from "./member-verdicts.tsx";

export type GroupRowView = GroupExposure & { instances: Record<string, number> };

const ALL: SelectProps.Option = { value: "all", label: "Any exposure" };
const OPTIONS: SelectProps.Option[] = [
  ALL,
  ...(["exposed", "unknown", "safe"] as Exposure[]).map((e) => ({ value: e, label: EXPOSURE_STYLE[e].label })),
];
const RANK: Record<Exposure, number> = { exposed: 0, unknown: 1, safe: 2 };

/**
 * Every Auto Scaling group of the fleet: whether its next launches will fail (exposure and why), what it launches,
 * the image and agent, the warm pool and its members by verdict. The exposure filter is kept in the URL (`?exposure=`).
 */
export function GroupsTable({
  groups,
  errors = [],
  fleet,
  initialExposure,
}: {
  groups: GroupRowView[];
  /** Fleets whose groups could not be read (every-fleet view): one line each above the table. */
  errors?: { fleet: string; message: string }[];
  fleet: string | undefined;
  initialExposure?: string;
}) {
  // Rows of several fleets (no fleet picked): each links within its own fleet and shows it.
  const fleets = new Set(groups.map((g) => g.fleet));
  const several = fleet === undefined && fleets.size > 1;
  const rowFleet = (g: GroupRowView) => fleet ?? g.fleet;
  const [filter, setFilter] = useState<SelectProps.Option>(OPTIONS.find((o) => o.value === initialExposure) ?? ALL);
  const sorted = [...groups].sort((a, b) => RANK[a.exposure] - RANK[b.exposure] || a.group.localeCompare(b.group));
  const { items, collectionProps } = useCollection(sorted, {
    filtering: {
      filteringFunction: (g) => filter.value === "all" || g.exposure === filter.value,
    },
    sorting: {},
  });
  const choose = (o: SelectProps.Option) => {
    setFilter(o);
    const url = new URL(window.location.href);
    if (o.value === "all") url.searchParams.delete("exposure");
    else url.searchParams.set("exposure", o.value ?? "");
    window.history.replaceState(null, "", url);
  };
  const exposed = groups.filter((g) => g.exposure === "exposed").length;
  const table = (
    <Table
      {...collectionProps}
      data-testid="groups-table"
      ariaLabels={{ tableLabel: "Auto Scaling groups" }}
      header={
        <Header
          variant="h1"
          counter={`(${groups.length})`}
          description={`${exposed} of ${groups.length} groups will launch instances that fail on the lifecycle 404, from their launch template's user data and image.`}
        >
          Groups
        </Header>
      }
      filter={
        <Select
          selectedOption={filter}
          options={OPTIONS}
          onChange={(e) => choose(e.detail.selectedOption)}
          ariaLabel="Filter by exposure"
          data-testid="exposure-filter"
        />
      }
      items={items}
      trackBy={(g) => `${g.fleet} ${g.group}`}
      wrapLines
      empty={
        <Box textAlign="center" color="text-body-secondary">
          {groups.length === 0 ? "No Auto Scaling groups in this fleet." : "No group matches the filter."}
        </Box>
      }
      columnDefinitions={[
        {
          id: "group",
          header: "Group",
          cell: (g) => (
            <AppLink href={withFleet(`/groups/${encodeURIComponent(g.group)}`, rowFleet(g))}>
              {cap(g.group, 255)}
            </AppLink>
          ),
          sortingField: "group",
        },
        ...(several
          ? [{ id: "fleet", header: "Fleet", cell: (g: GroupRowView) => g.fleet.replace("/", " · "), minWidth: 160 }]
          : []),
        { id: "exposure", header: "Exposure", cell: (g) => <ExposureStatus exposure={g.exposure} />, minWidth: 140 },
        { id: "why", header: "Why", cell: (g) => cap(g.reason, 300), minWidth: 220 },
        { id: "launch", header: "Launches from", cell: (g) => cap(launchText(g.launch), 300) },
        {
          id: "agent",
          header: "Image and agent",
          cell: (g) => (
            <>
              <Box>{cap(g.agent.imageName ?? g.agent.imageId ?? "(unknown image)", 200)}</Box>
              <Box variant="small">{`agent ${cap(agentText(g.agent), 200)}`}</Box>
            </>
          ),
          minWidth: 200,
        },
        { id: "warmPool", header: "Warm pool", cell: (g) => (g.hasWarmPool ? "Yes" : "No") },
        {
          id: "instances",
          header: "Instances",
          cell: (g) => <MemberVerdicts group={g.group} counts={g.instances} fleet={rowFleet(g)} direction="vertical" />,
        },
      ]}
    />
  );
  return (
    <SpaceBetween size="m">
      {errors.map((e) => (
        <Alert key={e.fleet} type="error" header={`Fleet ${e.fleet}: groups not read`}>
          {cap(e.message, 400)}
        </Alert>
      ))}
      {table}
    </SpaceBetween>
  );
}
