import type { PropertyFilterProperty, UseCollectionOptions } from "@cloudscape-design/collection-hooks";
import { processItems } from "@cloudscape-design/collection-hooks/operations";
import { VERDICT_ORDER, VERDICT_STYLE } from "@/components/verdict/verdicts.ts";
import { matchesFreeText, type VerdictLabel } from "@/lib/instances/free-text.ts";
import { type InstanceRow, REGISTERED_TEXT } from "./rows.ts";
import type { SortKey, TableView } from "./url-state.ts";

/**
 * What the instances table filters, sorts and pages by, in one place, so the server can render exactly the page the
 * browser will compute: the server sends the URL's page at once, the browser takes over with every row afterwards.
 */
export const FILTERING_PROPERTIES: PropertyFilterProperty[] = [
  { key: "verdict", propertyLabel: "Verdict", groupValuesLabel: "Verdicts", operators: ["=", "!="] },
  { key: "group", propertyLabel: "Auto Scaling group", groupValuesLabel: "Groups", operators: ["=", "!="] },
  { key: "agentVersion", propertyLabel: "Agent version", groupValuesLabel: "Versions", operators: ["=", "!="] },
  { key: "pingStatus", propertyLabel: "SSM ping", groupValuesLabel: "Ping statuses", operators: ["=", "!="] },
  { key: "lifecycleState", propertyLabel: "Lifecycle state", groupValuesLabel: "States", operators: ["=", "!="] },
  { key: "registered", propertyLabel: "Registered", groupValuesLabel: "Registration", operators: ["=", "!="] },
  { key: "instanceId", propertyLabel: "Instance ID", groupValuesLabel: "Instance IDs", operators: [":", "!:", "="] },
  { key: "account", propertyLabel: "Account", groupValuesLabel: "Accounts", operators: ["=", "!="] },
  { key: "region", propertyLabel: "Region", groupValuesLabel: "Regions", operators: ["=", "!="] },
];

export type FilteringOption = { propertyKey: string; value: string; label: string };

/** Properties whose distinct values are offered as suggestions; instance ids are not (10,000 values stall typing). */
const SUGGESTED = ["account", "region", "group", "agentVersion", "pingStatus", "lifecycleState"] as const;
const MAX_SUGGESTIONS = 300;

export function filteringOptionsFor(rows: readonly InstanceRow[]): FilteringOption[] {
  const options: FilteringOption[] = VERDICT_ORDER.map((v) => ({
    propertyKey: "verdict",
    value: v,
    label: `${VERDICT_STYLE[v].label} (${v})`,
  }));
  for (const value of REGISTERED_TEXT) options.push({ propertyKey: "registered", value, label: value });
  for (const key of SUGGESTED) {
    const values = new Set<string>();
    for (const r of rows) {
      values.add(r[key]);
      if (values.size > MAX_SUGGESTIONS) break;
    }
    if (values.size > MAX_SUGGESTIONS) continue;
    for (const value of [...values].sort()) options.push({ propertyKey: key, value, label: value });
  }
  return options;
}

const VERDICT_RANK = new Map(VERDICT_ORDER.map((v, i) => [v, i]));
// One collator, not String.localeCompare per comparison: sorting 10,000 rows is several times faster.
const text = new Intl.Collator("en");
const versions = new Intl.Collator("en", { numeric: true });
const byText =
  (field: "group" | "lifecycleState" | "pingStatus" | "registered" | "account" | "region") =>
  (a: InstanceRow, b: InstanceRow) =>
    text.compare(a[field], b[field]);
// Instance ids and ISO times are ASCII with a fixed shape: code-point order is their natural order.
const byCode = (field: "instanceId" | "probedAt") => (a: InstanceRow, b: InstanceRow) =>
  a[field] < b[field] ? -1 : a[field] > b[field] ? 1 : 0;

export type SortingColumn = {
  sortingField: SortKey;
  sortingComparator: (a: InstanceRow, b: InstanceRow) => number;
};

/** How each sortable column orders rows; verdicts by severity, agent versions as versions (1.91.1 < 1.100.0). */
export const SORTING: Record<SortKey, SortingColumn> = {
  verdict: {
    sortingField: "verdict",
    sortingComparator: (a, b) => (VERDICT_RANK.get(a.verdict) ?? 99) - (VERDICT_RANK.get(b.verdict) ?? 99),
  },
  instanceId: { sortingField: "instanceId", sortingComparator: byCode("instanceId") },
  group: { sortingField: "group", sortingComparator: byText("group") },
  lifecycleState: { sortingField: "lifecycleState", sortingComparator: byText("lifecycleState") },
  agentVersion: {
    sortingField: "agentVersion",
    sortingComparator: (a, b) => versions.compare(a.agentVersion, b.agentVersion),
  },
  pingStatus: { sortingField: "pingStatus", sortingComparator: byText("pingStatus") },
  registered: { sortingField: "registered", sortingComparator: byText("registered") },
  probedAt: { sortingField: "probedAt", sortingComparator: byCode("probedAt") },
  account: { sortingField: "account", sortingComparator: byText("account") },
  region: { sortingField: "region", sortingComparator: byText("region") },
};

export const PAGE_SIZES = [25, 50, 100, 200] as const;
/**
 * 25 rows: about a screen and a half, and what a triage view needs once filtered. Each row costs the server's render,
 * the page's weight and the browser's first layout (with 50, /instances took 125-147 ms to render against 84-109 ms).
 */
export const DEFAULT_PAGE_SIZE = 25;

export const verdictLabel: VerdictLabel = (v) => VERDICT_STYLE[v]?.label ?? v;

/**
 * Free text means what it means in `GET /api/instances?q=` (lib/instances/free-text.ts): any visible column, not
 * only the properties whose operators include ':' (Cloudscape's default, which matched instance ids alone).
 */
export const FREE_TEXT_FILTERING = {
  operators: [
    { operator: ":", match: (row: unknown, text: string) => matchesFreeText(row as InstanceRow, text, verdictLabel) },
    { operator: "!:", match: (row: unknown, text: string) => !matchesFreeText(row as InstanceRow, text, verdictLabel) },
  ],
} as const;

/** The collection options shared by the server's first page and the browser's useCollection. */
export function collectionOptions(pageSize: number, filteringOptions: FilteringOption[]) {
  return {
    propertyFiltering: {
      filteringProperties: FILTERING_PROPERTIES,
      filteringOptions,
      freeTextFiltering: FREE_TEXT_FILTERING,
    },
    sorting: {},
    pagination: { pageSize },
    // Per row, not per instance id: the same id in two accounts is two instances.
    selection: { trackBy: "rowKey", keepSelection: true },
  } satisfies UseCollectionOptions<InstanceRow>;
}

/** One page of the table as the server renders it before the browser has every row. */
export type TablePage = {
  items: readonly InstanceRow[];
  total: number;
  /** Rows matching the filter (all rows when there is none). */
  matching: number;
  pagesCount: number;
  pageIndex: number;
  /** How many fleets the rows come from (account and region are columns when more than one). */
  fleets: number;
};

export function tablePage(rows: readonly InstanceRow[], view: TableView, pageSize: number): TablePage {
  const sort = view.sortKey ? SORTING[view.sortKey] : undefined;
  const r = processItems(
    rows,
    {
      propertyFilteringQuery: view.query,
      sortingColumns: sort ? [{ sortingColumn: sort, isDescending: view.desc }] : [],
      currentPageIndex: view.page,
    },
    collectionOptions(pageSize, []),
  );
  return {
    items: r.items,
    total: rows.length,
    matching: r.filteredItemsCount ?? rows.length,
    pagesCount: r.pagesCount ?? 1,
    pageIndex: r.actualPageIndex ?? 1,
    fleets: new Set(rows.map((row) => row.fleet)).size,
  };
}
