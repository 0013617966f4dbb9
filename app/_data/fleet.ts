import "server-only";
import type { Verdict } from "@/lib/diagnosis/types.ts";
import type { InstanceSummary, ScanRow } from "@/lib/store/index.ts";
import { getStore } from "@/lib/store/index.ts";
import { currentViewer } from "./viewer.ts";

const PAGE = 1000;

/** Every instance's latest summary, read in pages (the store caps a page at 1,000). */
export async function allLatest(): Promise<InstanceSummary[]> {
  await currentViewer();
  const store = getStore();
  const out: InstanceSummary[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const { items, total } = store.latestResults({ limit: PAGE, offset });
    out.push(...items);
    if (items.length < PAGE || out.length >= total) break;
  }
  return out;
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
  groups: string[];
};

export async function loadOverview(): Promise<Overview> {
  await currentViewer();
  const store = getStore();
  const counts = store.verdictCounts();
  const recent = store.listScans({ limit: 20 });
  const groupRows = store.verdictsBy("group");
  const byGroup = breakdown(groupRows.map((r) => ({ ...r, key: r.key ?? "(no group)" })));
  const byVersion = breakdown(store.verdictsBy("agentVersion").map((r) => ({ ...r, key: r.key ?? "(unknown)" })));
  return {
    counts,
    total: Object.values(counts).reduce((a, b) => a + b, 0),
    byGroup,
    byVersion,
    lastScan: recent.find((s) => s.status !== "running") ?? undefined,
    running: recent.find((s) => s.status === "running"),
    groups: [...new Set(groupRows.flatMap((r) => (r.key ? [r.key] : [])))].sort().slice(0, 500),
  };
}

export async function loadScans(limit = 100): Promise<ScanRow[]> {
  await currentViewer();
  return getStore().listScans({ limit });
}
