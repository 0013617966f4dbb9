import "server-only";
import { randomUUID } from "node:crypto";
import { compactRows, expandRows, type InstanceRow } from "@/components/instances/rows.ts";
import { type FilteringOption, filteringOptionsFor } from "@/components/instances/table-model.ts";
import { failuresTimeline } from "@/lib/alerts/failures-timeline.ts";
import { currentActor } from "@/lib/auth/index.ts";
import type { Verdict } from "@/lib/diagnosis/types.ts";
import { type ConsoleFleet, scopeFilter } from "@/lib/fleets/console-fleets.ts";
import { type FleetSummary, fleetSummaries } from "@/lib/fleets/fleet-summaries.ts";
import { isFleetScan } from "@/lib/scan/verification.ts";
import type { InstanceSummary, ScanRow, TimelineBucket } from "@/lib/store/index.ts";
import { getStore } from "@/lib/store/index.ts";
import { type FleetView, fleetView } from "./fleets.ts";
import { currentViewer } from "./viewer.ts";

const PAGE = 1000;

/**
 * Every instance's latest summary in the fleets in view (the gone ones too when asked), read in pages (the store caps
 * a page at 1,000). Callers check the viewer.
 */
async function allLatest(fleets: readonly string[], includeGone: boolean): Promise<InstanceSummary[]> {
  const store = getStore();
  const out: InstanceSummary[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const { items, total } = await store.latestResults({ ...scopeFilter(fleets), includeGone, limit: PAGE, offset });
    out.push(...items);
    if (items.length < PAGE || out.length >= total) break;
  }
  return out;
}

/** Everything the instances table needs from every instance's latest result, in the forms its users want. */
export type TableData = {
  /** Changes whenever any instance's latest result does: the ETag of /api/instances/table. */
  version: string;
  rows: InstanceRow[];
  filteringOptions: FilteringOption[];
  /** The compact rows (CompactRows) as the JSON that /api/instances/table sends. */
  json: string;
};

// Per process, so a restarted server (perhaps on another database) never answers 304 to an old copy.
const BOOT = randomUUID().slice(0, 8);
// One copy per view (the fleets in it, with or without the gone instances); the views looked at last are kept.
const cached = new Map<string, TableData>();
const VIEWS = 16;

/**
 * The instances table's data, computed once per change of the latest results: the page and the API route then
 * cost a version check, not a read of every instance, until a scan or a restart saves a result. A route passes its
 * request (the viewer is read from it); a page passes nothing (the viewer is read from the render's headers).
 * With `includeGone`, the instances a full scan of the fleet no longer sees are rows too (with `goneSince`); `fleet`
 * is the picker's `?fleet=` (absent: every fleet).
 */
export async function tableData(
  request?: Request,
  { includeGone = false, fleet }: { includeGone?: boolean; fleet?: string | string[] | null } = {},
): Promise<TableData> {
  await (request ? currentActor(request) : currentViewer());
  const { ids } = await fleetView(fleet);
  const key = `${ids.join(",")}.${includeGone ? "gone" : "live"}`;
  // The view is part of the key (the ETag): a browser's copy of one view never answers 304 for another.
  const version = `${BOOT}.${await getStore().latestVersion()}.${key}`;
  let data = cached.get(key);
  if (data?.version !== version) {
    const compact = compactRows(await allLatest(ids, includeGone));
    // The server's rows are the browser's rows: the same compaction (caps, "(none)") decoded the same way.
    const rows = expandRows(compact);
    data = { version, rows, filteringOptions: filteringOptionsFor(rows), json: JSON.stringify(compact) };
    cached.delete(key);
    cached.set(key, data);
    if (cached.size > VIEWS) cached.delete(cached.keys().next().value!);
  }
  return data;
}

export type VerdictBreakdown = { key: string; counts: Partial<Record<Verdict, number>>; total: number }[];

/** Counts per verdict for each key, biggest first; past `max` keys the rest are summed as "other". */
export function breakdown(rows: { key: string; verdict: Verdict; n: number }[], max = 12): VerdictBreakdown {
  const map = new Map<string, { counts: Partial<Record<Verdict, number>>; total: number }>();
  for (const { key, verdict, n } of rows) {
    let e = map.get(key);
    if (!e) {
      e = { counts: {}, total: 0 };
      map.set(key, e);
    }
    e.counts[verdict] = (e.counts[verdict] ?? 0) + n;
    e.total += n;
  }
  const sorted = [...map.entries()]
    .map(([key, v]) => ({ key, ...v }))
    .sort((a, b) => b.total - a.total || a.key.localeCompare(b.key));
  if (sorted.length <= max) return sorted;
  const rest = sorted.slice(max - 1);
  const other = { key: `other (${rest.length})`, counts: {} as Partial<Record<Verdict, number>>, total: 0 };
  for (const r of rest) {
    other.total += r.total;
    for (const [v, n] of Object.entries(r.counts) as [Verdict, number][]) other.counts[v] = (other.counts[v] ?? 0) + n;
  }
  return [...sorted.slice(0, max - 1), other];
}

/** One fleet's line of the overview's table: the fleet as the console lists it and, when it has any, its counts. */
export type FleetLine = ConsoleFleet & Partial<Omit<FleetSummary, "fleet">>;

export type Overview = {
  counts: Record<Verdict, number>;
  total: number;
  byGroup: VerdictBreakdown;
  byVersion: VerdictBreakdown;
  lastScan?: ScanRow;
  running?: ScanRow;
  /**
   * The fixable instances (lifecycle-404:ready) for the overview's one restart action: only when the view is one
   * fleet, since a restart is sent in one fleet (an instance id is only unique inside one).
   */
  fixableIds: string[];
  groups: string[];
  /** Instances of the fleets in view that a full scan no longer sees: not in `counts` or `total`. */
  gone: number;
  /** Found failing and healed per hour, last 24 hours (lib/alerts/failures-timeline.ts). */
  timeline: TimelineBucket[];
  /** The picker's choice (undefined: every fleet) and every fleet the console lists, with their counts. */
  view: Pick<FleetView, "picked" | "ids">;
  fleets: FleetLine[];
};

const sumCounts = (all: Record<Verdict, number>[]) => {
  const out = {} as Record<Verdict, number>;
  for (const c of all) for (const [v, n] of Object.entries(c) as [Verdict, number][]) out[v] = (out[v] ?? 0) + n;
  return out;
};

/**
 * The overview of the fleets the picker selects (`?fleet=`; absent: every configured fleet). A page passes no request
 * (the viewer is read from the render's headers); a caller with a request passes it.
 */
export async function loadOverview(fleet?: string | string[] | null, request?: Request): Promise<Overview> {
  await (request ? currentActor(request) : currentViewer());
  const store = getStore();
  const view = await fleetView(fleet);
  const { ids } = view;
  // Per fleet, then added up: the store's scope is one fleet, and gone instances are decided per fleet.
  const perFleet = await Promise.all(
    ids.map(async (id) => {
      const scope = { fleet: id };
      const [counts, withGone, groupRows, versionRows, timeline] = await Promise.all([
        store.verdictCounts(scope),
        store.verdictCounts({ ...scope, includeGone: true }),
        store.verdictsBy("group", scope),
        store.verdictsBy("agentVersion", scope),
        failuresTimeline(store, scope),
      ]);
      return { counts, withGone, groupRows, versionRows, timeline: timeline.buckets };
    }),
  );
  const [scans, summaries] = await Promise.all([
    store.listScans({ limit: 200 }),
    view.fleets.length > 1
      ? fleetSummaries(
          store,
          view.fleets.map((f) => f.id),
        )
      : Promise.resolve([]),
  ]);
  // Fleet scans only: a restart's verification scan belongs to its action (lib/scan/verification.ts).
  const recent = scans.filter(isFleetScan);
  const groupRows = perFleet.flatMap((f) => f.groupRows);
  const byGroup = breakdown(groupRows.map((r) => ({ ...r, key: r.key ?? "(no group)" })));
  const byVersion = breakdown(perFleet.flatMap((f) => f.versionRows).map((r) => ({ ...r, key: r.key ?? "(unknown)" })));
  const sum = (c: Record<Verdict, number>) => Object.values(c).reduce((a, b) => a + b, 0);
  const counts = sumCounts(perFleet.map((f) => f.counts));
  const total = sum(counts);
  const timeline = perFleet[0]?.timeline.map((b, i) => ({
    start: b.start,
    found: perFleet.reduce((n, f) => n + (f.timeline[i]?.found ?? 0), 0),
    healed: perFleet.reduce((n, f) => n + (f.timeline[i]?.healed ?? 0), 0),
  }));
  const inView = (s: ScanRow) => s.fleet !== undefined && ids.includes(s.fleet);
  const bySummary = new Map(summaries.map((s) => [s.fleet, s]));
  return {
    counts,
    total,
    gone: sum(sumCounts(perFleet.map((f) => f.withGone))) - total,
    timeline: timeline ?? [],
    byGroup,
    byVersion,
    lastScan: recent.find((s) => s.status !== "running" && inView(s)) ?? undefined,
    // A scan records its fleet once STS has named it: until then it may be any fleet's.
    running: recent.find((s) => s.status === "running" && (s.fleet === undefined || inView(s))),
    fixableIds:
      ids.length === 1
        ? (await store.latestResults({ fleet: ids[0]!, verdict: ["lifecycle-404:ready"], limit: 1000 })).items.map(
            (i) => i.instanceId,
          )
        : [],
    groups: [...new Set(groupRows.flatMap((r) => (r.key ? [r.key] : [])))].sort().slice(0, 500),
    view: { ...(view.picked ? { picked: view.picked } : {}), ids },
    fleets: view.fleets.map((f) => {
      const s = bySummary.get(f.id);
      return s ? { ...f, counts: s.counts, total: s.total, ...(s.lastScan ? { lastScan: s.lastScan } : {}) } : f;
    }),
  };
}

/** The fleet scans of the fleets in view, newest first (with every fleet: those of fleets not configured now too). */
export async function loadScans(limit = 100, fleet?: string | string[] | null, request?: Request): Promise<ScanRow[]> {
  await (request ? currentActor(request) : currentViewer());
  const { picked, ids } = await fleetView(fleet);
  // Verification scans are shown with their action and in the instance's history, not here.
  const scans = await getStore().listScans({ limit: Math.min(limit * 10, 1000) });
  return scans
    .filter(isFleetScan)
    .filter((s) => !picked || s.fleet === undefined || ids.includes(s.fleet))
    .slice(0, limit);
}
