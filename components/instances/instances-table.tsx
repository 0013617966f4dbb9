"use client";

import { useCollection } from "@cloudscape-design/collection-hooks";
import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import ButtonDropdown from "@cloudscape-design/components/button-dropdown";
import CollectionPreferences from "@cloudscape-design/components/collection-preferences";
import Header from "@cloudscape-design/components/header";
import Link from "@cloudscape-design/components/link";
import Pagination from "@cloudscape-design/components/pagination";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table, { type TableProps } from "@cloudscape-design/components/table";
import Toggle from "@cloudscape-design/components/toggle";
import { useRouter } from "next/navigation";
import { type ReactNode, startTransition, useCallback, useEffect, useMemo, useState } from "react";
import { RestartButton } from "@/components/actions/restart-button.tsx";
import { selectionFleet } from "@/components/actions/selection-fleet.ts";
import { fetchTableRows } from "@/components/api/client.ts";
import { useSplitPanelSlot } from "@/components/shell/split-panel-slot.tsx";
import { formatTime } from "@/components/text/time.ts";
import { VerdictStatus } from "@/components/verdict/verdict-status.tsx";
import { withFleet } from "@/lib/fleets/fleet-ids.ts";
import { instanceHref } from "@/lib/instances/instance-href.ts";
import { download, rowsToCsv, rowsToJson } from "./export.ts";
import { InstancePanel } from "./instance-panel.tsx";
import { InstancesFilter } from "./instances-filter.tsx";
import { type ColumnId, normalizePreferences, preferencesCookie, type TablePreferences } from "./preferences.ts";
import type { InstanceRow } from "./rows.ts";
import { collectionOptions, type FilteringOption, PAGE_SIZES, SORTING, type TablePage } from "./table-model.ts";
import { type SortKey, type TableView, tableViewToSearch } from "./url-state.ts";

const NO_ROWS: InstanceRow[] = [];
const allDisabled = () => true;
// A gone instance keeps its last verdict on show, but nothing can be sent to it (the preflight refuses it too).
const goneDisabled = (r: InstanceRow) => !!r.goneSince;

function columns(onOpen: (row: InstanceRow) => void): TableProps.ColumnDefinition<InstanceRow>[] {
  return [
    {
      id: "verdict",
      header: "Verdict",
      cell: (r) => (r.goneSince ? <GoneVerdict row={r} /> : <VerdictStatus verdict={r.verdict} />),
      ...SORTING.verdict,
      isRowHeader: false,
    },
    {
      id: "instanceId",
      header: "Instance ID",
      cell: (r) => (
        <Link
          href={instanceHref(r.instanceId, r.fleet)}
          onFollow={(e) => {
            e.preventDefault();
            onOpen(r);
          }}
          ariaLabel={r.fleet ? `Show details of ${r.instanceId} in ${r.fleet}` : `Show details of ${r.instanceId}`}
        >
          {r.instanceId}
        </Link>
      ),
      ...SORTING.instanceId,
      isRowHeader: true,
    },
    { id: "account", header: "Account", cell: (r) => r.account, ...SORTING.account },
    { id: "region", header: "Region", cell: (r) => r.region, ...SORTING.region },
    // Short headers (the preferences name each column in full): every default column fits at 1280 px with the
    // navigation open, where the long ones took 1,240 px of a 950 px table.
    { id: "group", header: "Group", cell: (r) => r.group, ...SORTING.group },
    { id: "lifecycleState", header: "Lifecycle", cell: (r) => r.lifecycleState, ...SORTING.lifecycleState },
    { id: "agentVersion", header: "Agent", cell: (r) => r.agentVersion, ...SORTING.agentVersion },
    { id: "pingStatus", header: "SSM ping", cell: (r) => r.pingStatus, ...SORTING.pingStatus },
    { id: "registered", header: "Registered", cell: (r) => r.registered, ...SORTING.registered },
    { id: "probedAt", header: "Probed", cell: (r) => formatTime(r.probedAt), ...SORTING.probedAt },
  ];
}

/**
 * A gone instance's last verdict and when it went. The time goes under its date so that the column is no wider than
 * its verdicts make it: every default column still fits at 1280 px with the navigation open.
 */
function GoneVerdict({ row }: { row: InstanceRow }) {
  const [date, ...time] = formatTime(row.goneSince).split(" ");
  return (
    <div>
      <VerdictStatus verdict={row.verdict} />
      <Box variant="small" color="text-status-inactive" display="block">
        {`gone since ${date}`}
        <br />
        {time.join(" ")}
      </Box>
    </div>
  );
}

const COLUMN_OPTIONS: { id: ColumnId; label: string; alwaysVisible?: boolean }[] = [
  { id: "verdict", label: "Verdict", alwaysVisible: true },
  { id: "instanceId", label: "Instance ID", alwaysVisible: true },
  { id: "account", label: "Account" },
  { id: "region", label: "Region" },
  { id: "group", label: "Auto Scaling group" },
  { id: "lifecycleState", label: "Lifecycle state" },
  { id: "agentVersion", label: "Agent version" },
  { id: "pingStatus", label: "SSM ping" },
  { id: "registered", label: "Registered with ECS" },
  { id: "probedAt", label: "Probed" },
];

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
 * Every instance's latest verdict. The server renders the URL's page; the browser then fetches every row once
 * (compact) and filters, sorts and pages them itself, so typing in the filter never waits on the server. Until the
 * rows are here the controls that need them are disabled. The view is mirrored into the URL.
 */
export function InstancesTable({
  firstPage,
  filteringOptions,
  initialView,
  initialPreferences,
}: {
  firstPage: TablePage;
  filteringOptions: FilteringOption[];
  initialView: TableView;
  initialPreferences: TablePreferences;
}) {
  const router = useRouter();
  const [rows, setRows] = useState<InstanceRow[] | null>(null);
  const [rowsError, setRowsError] = useState<string>();
  const [preferences, setPreferences] = useState(initialPreferences);
  const [opened, setOpened] = useState<string | undefined>(initialView.selected);
  // The fleet of the opened instance (a row's, or the picked fleet's for a link's `selected`).
  const [openedFleet, setOpenedFleet] = useState<string | undefined>(initialView.fleet);
  const open = useCallback((r: InstanceRow | undefined) => {
    setOpened(r?.instanceId);
    setOpenedFleet(r?.fleet);
  }, []);
  const ready = rows !== null;
  // Fixed for this table's life: the page gives the table a new key when the gone instances are shown or hidden, or
  // another fleet is picked.
  const includeGone = initialView.includeGone === true;
  const fleet = initialView.fleet;

  const loadRows = useCallback(
    (signal?: AbortSignal) => {
      setRowsError(undefined);
      // A transition: expanding into 10,000 rows re-renders the table, and typing or clicking should not wait for it.
      fetchTableRows(signal, includeGone, fleet).then(
        (all) => startTransition(() => setRows(all)),
        (e: Error) => {
          if (!signal?.aborted) setRowsError(e.message);
        },
      );
    },
    [includeGone, fleet],
  );
  useEffect(() => {
    const abort = new AbortController();
    loadRows(abort.signal);
    return () => abort.abort();
  }, [loadRows]);

  const cols = useMemo(() => columns(open), [open]);
  // Account and region are columns when the rows come from several fleets; with one fleet they would say one thing
  // on every row (the header's picker says it once).
  const fleetCount = useMemo(() => new Set((rows ?? firstPage.items).map((r) => r.fleet)).size, [rows, firstPage]);
  const manyFleets = fleetCount > 1 || (!fleet && firstPage.fleets > 1);
  const columnDisplay = manyFleets
    ? preferences.contentDisplay
    : preferences.contentDisplay.map((c) => (c.id === "account" || c.id === "region" ? { ...c, visible: false } : c));
  const initialSelection = useMemo(
    () => firstPage.items.filter((r) => r.instanceId === initialView.selected && !r.goneSince),
    [firstPage, initialView.selected],
  );
  const options = collectionOptions(preferences.pageSize, filteringOptions);

  const noInstances = (
    <EmptyState
      title="No instances yet"
      subtitle="Run a scan from the Fleet page to see every instance's verdict here."
      action={<Button onClick={() => router.push(withFleet("/", fleet))}>Go to Fleet</Button>}
    />
  );
  const noMatch = () => (
    <EmptyState
      title="No matches"
      subtitle="No instance matches these filters."
      action={
        <Button disabled={!ready} onClick={() => actions.setPropertyFiltering({ tokens: [], operation: "and" })}>
          Clear filters
        </Button>
      }
    />
  );
  const { items, allPageItems, actions, collectionProps, propertyFilterProps, paginationProps, filteredItemsCount } =
    useCollection(rows ?? NO_ROWS, {
      ...options,
      propertyFiltering: {
        ...options.propertyFiltering,
        defaultQuery: initialView.query,
        empty: noInstances,
        noMatch: noMatch(),
      },
      sorting: initialView.sortKey
        ? { defaultState: { sortingColumn: SORTING[initialView.sortKey], isDescending: initialView.desc } }
        : {},
      pagination: { ...options.pagination, defaultPage: initialView.page },
      selection: { ...options.selection, defaultSelectedItems: initialSelection },
    });

  const selected = collectionProps.selectedItems ?? [];
  // One restart acts in one fleet: the selection's, or none offered when it spans several.
  const selectedFleet = selectionFleet(selected);
  const sortKey = collectionProps.sortingColumn?.sortingField as SortKey | undefined;

  const view: TableView = {
    query: propertyFilterProps.query,
    sortKey,
    desc: !!collectionProps.sortingDescending,
    page: paginationProps.currentPageIndex,
    selected: opened,
    includeGone,
    ...(fleet ? { fleet } : {}),
  };
  const search = tableViewToSearch(view);
  // Mirror the view into the URL without a navigation, so the link in the address bar reproduces it.
  useEffect(() => {
    if (!ready) return;
    if (window.location.search !== search) window.history.replaceState(null, "", `/instances${search}`);
  }, [ready, search]);
  // Other rows from the server: a navigation, so the server renders the first page of the new view.
  const showGone = (on: boolean) =>
    router.push(`/instances${tableViewToSearch({ ...view, page: 1, selected: undefined, includeGone: on })}`);

  const slot = useMemo(
    () =>
      opened
        ? {
            header: opened,
            content: <InstancePanel instanceId={opened} {...(openedFleet ? { fleet: openedFleet } : {})} />,
            onClose: () => open(undefined),
          }
        : null,
    [opened, openedFleet, open],
  );
  useSplitPanelSlot(slot);

  const exportView = (format: "csv" | "json") => {
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    if (format === "csv") download(`instances-${stamp}.csv`, rowsToCsv(allPageItems), "text/csv");
    else download(`instances-${stamp}.json`, rowsToJson(allPageItems), "application/json");
  };

  const total = ready ? rows.length : firstPage.total;
  const shown = ready ? (filteredItemsCount ?? total) : firstPage.matching;

  return (
    <Table<InstanceRow>
      {...collectionProps}
      // Until every row is here the collection is empty, so the server's page says which message applies.
      empty={ready ? collectionProps.empty : firstPage.total > 0 ? noMatch() : noInstances}
      onSelectionChange={(e) => {
        collectionProps.onSelectionChange?.(e);
        const picked = e.detail.selectedItems;
        if (picked.length === 1) open(picked[0]);
      }}
      variant="full-page"
      stickyHeader
      selectionType="multi"
      isItemDisabled={ready ? (includeGone ? goneDisabled : undefined) : allDisabled}
      sortingDisabled={!ready}
      columnDefinitions={cols}
      columnDisplay={columnDisplay}
      stripedRows={preferences.stripedRows}
      items={ready ? items : firstPage.items}
      trackBy="rowKey"
      ariaLabels={{
        selectionGroupLabel: "Instance selection",
        allItemsSelectionLabel: () => "Select all instances on this page",
        itemSelectionLabel: (_s, item) =>
          manyFleets && item.fleet ? `Select ${item.instanceId} in ${item.fleet}` : `Select ${item.instanceId}`,
        tableLabel: "Instances",
      }}
      renderAriaLive={({ firstIndex, lastIndex, totalItemsCount }) =>
        `Showing instances ${firstIndex} to ${lastIndex} of ${totalItemsCount}`
      }
      header={
        <Header
          variant="awsui-h1-sticky"
          counter={shown === total ? `(${total})` : `(${shown}/${total})`}
          description={
            includeGone
              ? "The latest verdict of every instance, with the gone ones a full scan of the fleet no longer sees (they cannot be restarted)."
              : "The latest verdict of every instance. Select instances to act on them; open one for its evidence."
          }
          actions={
            <SpaceBetween direction="horizontal" size="xs">
              <RestartButton
                instanceIds={selected.map((r) => r.instanceId)}
                {...(selectedFleet.fleet ? { fleet: selectedFleet.fleet } : {})}
                mixedFleets={selectedFleet.mixed}
              />
              <ButtonDropdown
                items={[
                  { id: "csv", text: "CSV (current view)" },
                  { id: "json", text: "JSON (current view)" },
                ]}
                onItemClick={(e) => exportView(e.detail.id === "json" ? "json" : "csv")}
                disabled={!ready || shown === 0}
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
        <SpaceBetween size="xs">
          {rowsError ? (
            <Alert
              type="error"
              header="Filtering, sorting and paging are unavailable"
              action={<Button onClick={() => loadRows()}>Retry</Button>}
            >
              {`Could not load every instance: ${rowsError}`}
            </Alert>
          ) : null}
          <InstancesFilter
            {...propertyFilterProps}
            disabled={!ready}
            countText={`${shown} ${shown === 1 ? "match" : "matches"}`}
            filteringAriaLabel="Filter instances"
            filteringPlaceholder={
              manyFleets
                ? "Filter instances by verdict, account, region, group, version, ping, lifecycle state or text"
                : "Filter instances by verdict, group, version, ping, lifecycle state or text"
            }
            expandToViewport
          />
          <Toggle checked={includeGone} onChange={(e) => showGone(e.detail.checked)}>
            Show gone instances
          </Toggle>
        </SpaceBetween>
      }
      pagination={
        ready ? (
          <Pagination {...paginationProps} />
        ) : (
          <Pagination currentPageIndex={firstPage.pageIndex} pagesCount={firstPage.pagesCount} disabled />
        )
      }
      preferences={
        <CollectionPreferences
          title="Preferences"
          confirmLabel="Confirm"
          cancelLabel="Cancel"
          disabled={!ready}
          preferences={preferences}
          onConfirm={({ detail }) => {
            const next = normalizePreferences(detail);
            setPreferences(next);
            // biome-ignore lint/suspicious/noDocumentCookie: preferencesCookie encodes the value; one write per confirm.
            document.cookie = preferencesCookie(next);
          }}
          pageSizePreference={{
            title: "Page size",
            options: PAGE_SIZES.map((n) => ({ value: n, label: `${n} instances` })),
          }}
          contentDisplayPreference={{
            title: "Columns",
            options: manyFleets
              ? COLUMN_OPTIONS
              : COLUMN_OPTIONS.filter((o) => o.id !== "account" && o.id !== "region"),
          }}
          stripedRowsPreference={{ label: "Striped rows", description: "Shade every other row." }}
        />
      }
      footer={selected.length > 1 ? <Box>{`${selected.length} instances selected`}</Box> : undefined}
    />
  );
}
