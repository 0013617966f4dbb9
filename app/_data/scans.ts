import "server-only";
import { applyEvent, emptyProgress } from "@/components/scans/progress.ts";
import type { ScanDetailData } from "@/components/scans/scan-detail.tsx";
import { getStore } from "@/lib/store/index.ts";
import { currentViewer } from "./viewer.ts";

const BATCH = 5_000;

/** One scan as its stored events tell it: per-instance status and errors by kind, up to the last event stored. */
export async function loadScanDetail(id: string): Promise<ScanDetailData | undefined> {
  await currentViewer();
  if (typeof id !== "string" || id.length > 100) return undefined;
  const store = getStore();
  const scan = await store.getScan(id);
  if (!scan) return undefined;
  const p = emptyProgress(id, scan.status);
  for (;;) {
    const events = await store.eventsSince(id, p.lastSeq, BATCH);
    for (const e of events) applyEvent(p, e.seq, e.event);
    if (events.length < BATCH) break;
  }
  return {
    scan,
    instances: [...p.instances.values()],
    errors: p.errors,
    lastSeq: p.lastSeq,
    total: p.total ?? scan.total,
    offline: p.offline,
  };
}
