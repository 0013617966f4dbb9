"use client";

import { type PropertyFilterProperty, useCollection } from "@cloudscape-design/collection-hooks";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import ButtonDropdown from "@cloudscape-design/components/button-dropdown";
import CollectionPreferences, {
  type CollectionPreferencesProps,
} from "@cloudscape-design/components/collection-preferences";
import Header from "@cloudscape-design/components/header";
import Link from "@cloudscape-design/components/link";
import Pagination from "@cloudscape-design/components/pagination";
import PropertyFilter from "@cloudscape-design/components/property-filter";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table, { type TableProps } from "@cloudscape-design/components/table";
import { useRouter } from "next/navigation";
import { type ReactNode, useEffect, useMemo, useState } from "react";
import { RestartButton } from "@/components/actions/restart-button.tsx";
import { useSplitPanelSlot } from "@/components/shell/split-panel-slot.tsx";
import { formatTime } from "@/components/text/time.ts";
import { VerdictStatus } from "@/components/verdict/verdict-status.tsx";
import { VERDICT_ORDER, VERDICT_STYLE } from "@/components/verdict/verdicts.ts";
import { download, rowsToCsv, rowsToJson } from "./export.ts";
import { InstancePanel, type LoadInstance } from "./instance-panel.tsx";
import { type CompactRows, expandRows, type InstanceRow } from "./rows.ts";
import { type SortKey, type TableView, tableViewToSearch } from "./url-state.ts";

const VERDICT_RANK = new Map(VERDICT_ORDER.map((v, i) => [v, i]));

const FILTERING_PROPERTIES: PropertyFilterProperty[] = [
  { key: "verdict", propertyLabel: "Verdict", groupValuesLabel: "Verdicts", operators: ["=", "!="] },
  { key: "group", propertyLabel: "Auto Scaling group", groupValuesLabel: "Groups", operators: ["=", "!="] },
  { key: "agentVersion", propertyLabel: "Agent version", groupValuesLabel: "Versions", operators: ["=", "!="] },
  { key: "pingStatus", propertyLabel: "SSM ping", groupValuesLabel: "Ping statuses", operators: ["=", "!="] },
  { key: "lifecycleState", propertyLabel: "Lifecycle state", groupValuesLabel: "States", operators: ["=", "!="] },
  { key: "instanceId", propertyLabel: "Instance ID", groupValuesLabel: "Instance IDs", operators: [":", "!:", "="] },
];

/** Properties whose distinct values are offered as suggestions; instance ids are not (10,000 values stall typing). */
const SUGGESTED: (keyof InstanceRow)[] = ["group", "agentVersion", "pingStatus", "lifecycleState"];
const MAX_SUGGESTIONS = 300;

type ColumnId = "verdict" | "instanceId" | "group" | "lifecycleState" | "agentVersion" | "pingStatus" | "probedAt";

function columns(onOpen: (id: string) => void): TableProps.ColumnDefinition<InstanceRow>[] {
  return [
    {
      id: "verdict",
      header: "Verdict",
      cell: (r) => <VerdictStatus verdict={r.verdict} />,
      sortingField: "verdict",
      sortingComparator: (a, b) => (VERDICT_RANK.get(a.verdict) ?? 99) - (VERDICT_RANK.get(b.verdict) ?? 99),
      isRowHeader: false,
    },
    {
      id: "instanceId",
      header: "Instance ID",
      cell: (r) => (
        <Link
          href={`/instances/${encodeURIComponent(r.instanceId)}`}
          onFollow={(e) => {
            e.preventDefault();
            onOpen(r.instanceId);
          }}
          ariaLabel={`Show details of ${r.instanceId}`}
        >
          {r.instanceId}
        </Link>
      ),
      sortingField: "instanceId",
      isRowHeader: true,
    },
    { id: "group", header: "Auto Scaling group", cell: (r) => r.group, sortingField: "group" },
    { id: "lifecycleState", header: "Lifecycle state", cell: (r) => r.lifecycleState, sortingField: "lifecycleState" },
    { id: "agentVersion", header: "Agent version", cell: (r) => r.agentVersion, sortingField: "agentVersion" },
    { id: "pingStatus", header: "SSM ping", cell: (r) => r.pingStatus, sortingField: "pingStatus" },
    { id: "probedAt", header: "Probed", cell: (r) => formatTime(r.probedAt), sortingField: "probedAt" },
  ];
}

const COLUMN_OPTIONS: { id: ColumnId; label: string; alwaysVisible?: boolean }[] = [
  { id: "verdict", label: "Verdict", alwaysVisible: true },
  { id: "instanceId", label: "Instance ID", alwaysVisible: true },
  { id: "group", label: "Auto Scaling group" },
  { id: "lifecycleState", label: "Lifecycle state" },
  { id: "agentVersion", label: "Agent version" },
  { id: "pingStatus", label: "SSM ping" },
  { id: "probedAt", label: "Probed" },
];

const DEFAULT_PREFERENCES: CollectionPreferencesProps.Preferences = {
  pageSize: 50,
  contentDisplay: COLUMN_OPTIONS.map((c) => ({ id: c.id, visible: true })),
  stripedRows: false,
};
const PREFS_KEY = "fleet-doctor:instances-table";

function EmptyState({ title, subtitle, action }: { title: string; subtitle: string; action?: ReactNode }) {
  return (
    <Box textAlign="center" color="inherit">
      <SpaceBetween size="xxs">
        <Box variant="strong" color="inherit">
          {title}
        </Box>
        <Box variant="p" color="inherit">
          {subtitle}
        </Box>
        {action}
      </SpaceBetween>
    </Box>
  );
}

/**
 * Every instance's latest verdict. All rows arrive once (compact) and are filtered, sorted and paged here, in the
 * browser, so typing in the filter never waits on the server; the view is mirrored into the URL.
 */
export function InstancesTable({
  data,
  initialView,
  loadInstance,
}: {
  data: CompactRows;
  initialView: TableView;
  loadInstance: LoadInstance;
}) {
  const router = useRouter();
  const rows = useMemo(() => expandRows(data), [data]);
  const [preferences, setPreferences] = useState(DEFAULT_PREFERENCES);
  const [opened, setOpened] = useState<string | undefined>(initialView.selected);

  // Preferences are per browser; read after mount so the server render and hydration agree.
  useEffect(() => {
    try {
      const saved = window.localStorage.getItem(PREFS_KEY);
      if (saved) setPreferences({ ...DEFAULT_PREFERENCES, ...JSON.parse(saved) });
    } catch {
      // A corrupt preference is not worth an error: the defaults apply.
    }
  }, []);

  const filteringOptions = useMemo(() => {
    const options: { propertyKey: string; value: string; label: string }[] = VERDICT_ORDER.map((v) => ({
      propertyKey: "verdict",
      value: v,
      label: `${VERDICT_STYLE[v].label} (${v})`,
    }));
    for (const key of SUGGESTED) {
      const values = new Set<string>();
      for (const r of rows) {
        values.add(String(r[key]));
        if (values.size > MAX_SUGGESTIONS) break;
      }
      if (values.size <= MAX_SUGGESTIONS) {
        for (const value of [...values].sort()) options.push({ propertyKey: key, value, label: value });
      }
    }
    return options;
  }, [rows]);

  const cols = useMemo(() => columns(setOpened), []);
  const initialSelection = useMemo(
    () => rows.filter((r) => r.instanceId === initialView.selected),
    [rows, initialView.selected],
  );
  const initialSort = cols.find((c) => c.id === initialView.sortKey);

  const { items, allPageItems, actions, collectionProps, propertyFilterProps, paginationProps, filteredItemsCount } =
    useCollection(rows, {
      propertyFiltering: {
        filteringProperties: FILTERING_PROPERTIES,
        filteringOptions,
        defaultQuery: initialView.query,
        empty: (
          <EmptyState
            title="No instances yet"
            subtitle="Run a scan from the Fleet page to see every instance's verdict here."
            action={<Button onClick={() => router.push("/")}>Go to Fleet</Button>}
          />
        ),
        noMatch: (
          <EmptyState
            title="No matches"
            subtitle="No instance matches these filters."
            action={
              <Button onClick={() => actions.setPropertyFiltering({ tokens: [], operation: "and" })}>
                Clear filters
              </Button>
            }
          />
        ),
      },
      sorting: initialSort ? { defaultState: { sortingColumn: initialSort, isDescending: initialView.desc } } : {},
      pagination: { pageSize: preferences.pageSize ?? 50, defaultPage: initialView.page },
      selection: {
        trackBy: "instanceId",
        keepSelection: true,
        defaultSelectedItems: initialSelection,
      },
    });

  const selected = collectionProps.selectedItems ?? [];
  const sortKey = collectionProps.sortingColumn?.sortingField as SortKey | undefined;

  // Mirror the view into the URL without a navigation, so the link in the address bar reproduces it.
  useEffect(() => {
    const search = tableViewToSearch({
      query: propertyFilterProps.query,
      sortKey,
      desc: !!collectionProps.sortingDescending,
      page: paginationProps.currentPageIndex,
      selected: opened,
    });
    if (window.location.search !== search) window.history.replaceState(null, "", `/instances${search}`);
  }, [propertyFilterProps.query, sortKey, collectionProps.sortingDescending, paginationProps.currentPageIndex, opened]);

  const slot = useMemo(
    () =>
      opened
        ? {
            header: opened,
            content: <InstancePanel instanceId={opened} load={loadInstance} />,
            onClose: () => setOpened(undefined),
          }
        : null,
    [opened, loadInstance],
  );
  useSplitPanelSlot(slot);

  const exportView = (format: "csv" | "json") => {
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    if (format === "csv") download(`instances-${stamp}.csv`, rowsToCsv(allPageItems), "text/csv");
    else download(`instances-${stamp}.json`, rowsToJson(allPageItems), "application/json");
  };

  const total = rows.length;
  const shown = filteredItemsCount ?? total;

  return (
    <Table<InstanceRow>
      {...collectionProps}
      onSelectionChange={(e) => {
        collectionProps.onSelectionChange?.(e);
        const picked = e.detail.selectedItems;
        if (picked.length === 1) setOpened(picked[0]!.instanceId);
      }}
      variant="full-page"
      stickyHeader
      selectionType="multi"
      columnDefinitions={cols}
      columnDisplay={preferences.contentDisplay}
      stripedRows={preferences.stripedRows}
      items={items}
      trackBy="instanceId"
      ariaLabels={{
        selectionGroupLabel: "Instance selection",
        allItemsSelectionLabel: () => "Select all instances on this page",
        itemSelectionLabel: (_s, item) => `Select ${item.instanceId}`,
        tableLabel: "Instances",
      }}
      renderAriaLive={({ firstIndex, lastIndex, totalItemsCount }) =>
        `Showing instances ${firstIndex} to ${lastIndex} of ${totalItemsCount}`
      }
      header={
        <Header
          variant="awsui-h1-sticky"
          counter={shown === total ? `(${total})` : `(${shown}/${total})`}
          description="The latest verdict of every instance. Select instances to act on them; open one for its evidence."
          actions={
            <SpaceBetween direction="horizontal" size="xs">
              <RestartButton instanceIds={selected.map((r) => r.instanceId)} />
              <ButtonDropdown
                items={[
                  { id: "csv", text: "CSV (current view)" },
                  { id: "json", text: "JSON (current view)" },
                ]}
                onItemClick={(e) => exportView(e.detail.id === "json" ? "json" : "csv")}
                disabled={shown === 0}
                ariaLabel="Export the current view"
              >
                Export
              </ButtonDropdown>
            </SpaceBetween>
          }
        >
          Instances
        </Header>
      }
      filter={
        <PropertyFilter
          {...propertyFilterProps}
          countText={`${shown} ${shown === 1 ? "match" : "matches"}`}
          filteringAriaLabel="Filter instances"
          filteringPlaceholder="Filter instances by verdict, group, version, ping, lifecycle state or text"
          expandToViewport
        />
      }
      pagination={<Pagination {...paginationProps} />}
      preferences={
        <CollectionPreferences
          title="Preferences"
          confirmLabel="Confirm"
          cancelLabel="Cancel"
          preferences={preferences}
          onConfirm={({ detail }) => {
            setPreferences(detail);
            window.localStorage.setItem(PREFS_KEY, JSON.stringify(detail));
          }}
          pageSizePreference={{
            title: "Page size",
            options: [25, 50, 100, 200].map((n) => ({ value: n, label: `${n} instances` })),
          }}
          contentDisplayPreference={{ title: "Columns", options: COLUMN_OPTIONS }}
          stripedRowsPreference={{ label: "Striped rows", description: "Shade every other row." }}
        />
      }
      footer={selected.length > 1 ? <Box>{`${selected.length} instances selected`}</Box> : undefined}
    />
  );
}
