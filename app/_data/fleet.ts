import "server-only";
import { randomUUID } from "node:crypto";
import { compactRows, expandRows, type InstanceRow } from "@/components/instances/rows.ts";
import { type FilteringOption, filteringOptionsFor } from "@/components/instances/table-model.ts";
import { failuresTimeline } from "@/lib/alerts/failures-timeline.ts";
import { currentActor } from "@/lib/auth/index.ts";
import { fleetInView } from "@/lib/aws/fleet-in-view.ts";
import type { Verdict } from "@/lib/diagnosis/types.ts";
import { isFleetScan } from "@/lib/scan/verification.ts";
import type { InstanceSummary, ScanRow, TimelineBucket } from "@/lib/store/index.ts";
import { getStore } from "@/lib/store/index.ts";
import { currentViewer } from "./viewer.ts";

const PAGE = 1000;

/**
 * Every instance's latest summary in the fleet in view (the gone ones too when asked), read in pages (the store caps
 * a page at 1,000). Callers check the viewer.
 */
async function allLatest(fleet: string, includeGone: boolean): Promise<InstanceSummary[]> {
  const store = getStore();
  const out: InstanceSummary[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const { items, total } = await store.latestResults({ fleet, includeGone, limit: PAGE, offset });
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
// One copy per view: the default listing, and the one with the gone instances (`include=gone`).
const cached = new Map<boolean, TableData>();

/**
 * The instances table's data, computed once per change of the latest results: the page and the API route then
 * cost a version check, not a read of every instance, until a scan or a restart saves a result. A route passes its
 * request (the viewer is read from it); a page passes nothing (the viewer is read from the render's headers).
 * With `includeGone`, the instances a full scan of the fleet no longer sees are rows too (with `goneSince`).
 */
export async function tableData(request?: Request, { includeGone = false } = {}): Promise<TableData> {
  await (request ? currentActor(request) : currentViewer());
  const fleet = (await fleetInView()).id;
  // The view is part of the key (the ETag): a browser's copy of one view never answers 304 for the other.
  const version = `${BOOT}.${await getStore().latestVersion()}.${fleet}.${includeGone ? "gone" : "live"}`;
  let data = cached.get(includeGone);
  if (data?.version !== version) {
    const compact = compactRows(await allLatest(fleet, includeGone));
    // The server's rows are the browser's rows: the same compaction (caps, "(none)") decoded the same way.
    const rows = expandRows(compact);
    data = { version, rows, filteringOptions: filteringOptionsFor(rows), json: JSON.stringify(compact) };
    cached.set(includeGone, data);
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

export type Overview = {
  counts: Record<Verdict, number>;
  total: number;
  byGroup: VerdictBreakdown;
  byVersion: VerdictBreakdown;
  lastScan?: ScanRow;
  running?: ScanRow;
  /** The fleet's fixable instances (lifecycle-404:ready), for the overview's one restart action. */
  fixableIds: string[];
  /** The fleet in view (`<account>/<region>`): the one its restart action goes to. */
  fleet: string;
  groups: string[];
  /** Instances of the fleet that a full scan no longer sees: not in `counts` or `total`. */
  gone: number;
  /** Found failing and healed per hour, last 24 hours (lib/alerts/failures-timeline.ts). */
  timeline: TimelineBucket[];
};

export async function loadOverview(): Promise<Overview> {
  await currentViewer();
  const store = getStore();
  // The fleet in view only: another fleet's results in this database, and gone instances, are not counted.
  const scope = { fleet: (await fleetInView()).id };
  const [counts, withGone, scans, groupRows, versionRows, timeline] = await Promise.all([
    store.verdictCounts(scope),
    store.verdictCounts({ ...scope, includeGone: true }),
    store.listScans({ limit: 200 }),
    store.verdictsBy("group", scope),
    store.verdictsBy("agentVersion", scope),
    failuresTimeline(store, scope),
  ]);
  // Fleet scans only: a restart's verification scan belongs to its action (lib/scan/verification.ts).
  const recent = scans.filter(isFleetScan);
  const byGroup = breakdown(groupRows.map((r) => ({ ...r, key: r.key ?? "(no group)" })));
  const byVersion = breakdown(versionRows.map((r) => ({ ...r, key: r.key ?? "(unknown)" })));
  const sum = (c: Record<Verdict, number>) => Object.values(c).reduce((a, b) => a + b, 0);
  const total = sum(counts);
  return {
    counts,
    total,
    gone: sum(withGone) - total,
    timeline: timeline.buckets,
    byGroup,
    byVersion,
    lastScan: recent.find((s) => s.status !== "running" && s.fleet === scope.fleet) ?? undefined,
    running: recent.find((s) => s.status === "running"),
    fleet: scope.fleet,
    fixableIds: (await store.latestResults({ ...scope, verdict: ["lifecycle-404:ready"], limit: 1000 })).items.map(
      (i) => i.instanceId,
    ),
    groups: [...new Set(groupRows.flatMap((r) => (r.key ? [r.key] : [])))].sort().slice(0, 500),
  };
}

export async function loadScans(limit = 100): Promise<ScanRow[]> {
  await currentViewer();
  // Verification scans are shown with their action and in the instance's history, not here.
  const scans = await getStore().listScans({ limit: Math.min(limit * 10, 1000) });
  return scans.filter(isFleetScan).slice(0, limit);
}
