import { count } from "@/components/text/plural.ts";
import { isVerdict, type Verdict, verdictInfo } from "@/lib/diagnosis/catalogue.ts";
import { partialNote } from "@/lib/scan/partial-note.ts";
import type { ScanEvent, ScanStatus } from "@/lib/scan/types.ts";
import type { ScanRow } from "@/lib/store/types.ts";

export const ERROR_KINDS = ["undeliverable", "throttled", "failed", "timed-out"] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export const ERROR_KIND_LABEL: Record<ErrorKind, string> = {
  undeliverable: "Undeliverable",
  throttled: "Throttled",
  failed: "Failed",
  "timed-out": "Timed out",
};

export type InstanceProgress = {
  instanceId: string;
  state: "sent" | "done" | "failed";
  verdict?: Verdict;
  /** SSM's status for the probe invocation, or why the batch failed. */
  detail?: string;
  group?: string;
};

export type ScanError = { kind: ErrorKind; instanceId?: string; message: string };

/** What a page knows about a scan's progress, built from its event stream (or from polling its row). */
export type ScanProgress = {
  scanId: string;
  status: ScanStatus;
  total?: number;
  online?: number;
  offline?: number;
  done: number;
  counts: Partial<Record<Verdict, number>>;
  instances: Map<string, InstanceProgress>;
  errors: ScanError[];
  lastSeq: number;
  startedAt?: string;
  finishedAt?: string;
  /** A partial scan: how many instances have no true result. */
  note?: string;
  /** Why the scan went without ECS's view (its results then say nothing of registration). */
  ecsNote?: string;
};

export function emptyProgress(scanId: string, status: ScanStatus = "running"): ScanProgress {
  return { scanId, status, done: 0, counts: {}, instances: new Map(), errors: [], lastSeq: 0 };
}

const MAX_ERRORS = 5_000;

/**
 * Which error group a finished instance belongs to, if any: from SSM's invocation status and details (as the
 * `instance` event carries them, e.g. `Failed: DeliveryTimedOut`), then the verdict.
 */
export function errorKindOf(r: { status: string; verdict: Verdict }): ErrorKind | undefined {
  const status = r.status;
  if (/Undeliverable|ConnectionLost|Terminated|InvalidPlatform/i.test(status)) return "undeliverable";
  if (/TimedOut|Timeout/i.test(status)) return "timed-out";
  if (/Failed|Cancel/i.test(status)) return "failed";
  return isVerdict(r.verdict) ? verdictInfo(r.verdict).scanError : undefined;
}

function pushError(p: ScanProgress, e: ScanError) {
  if (p.errors.length < MAX_ERRORS) p.errors.push(e);
}

/**
 * Applies one stored event to the progress, in place (a 10,000-instance scan sends 10,000 events: copying the
 * state each time would cost more than the render). Events at or below `lastSeq` were seen already and are skipped,
 * so a reconnect that replays some is harmless.
 */
export function applyEvent(p: ScanProgress, seq: number, event: ScanEvent, trackInstances = true): boolean {
  if (seq > 0 && seq <= p.lastSeq) return false;
  if (seq > 0) p.lastSeq = seq;
  switch (event.type) {
    case "scan-started":
      p.startedAt = event.at;
      break;
    case "inventory":
      p.total = event.total;
      p.online = event.online;
      p.offline = event.offline;
      break;
    case "batch-sent":
      if (trackInstances) {
        for (const id of event.instanceIds) {
          if (!p.instances.has(id)) p.instances.set(id, { instanceId: id, state: "sent" });
        }
      }
      break;
    case "batch-failed":
      for (const id of event.instanceIds) {
        if (trackInstances) p.instances.set(id, { instanceId: id, state: "failed", detail: event.error.slice(0, 300) });
      }
      pushError(p, {
        kind: "failed",
        message: `${count(event.instanceIds.length, "instance")}: ${event.error.slice(0, 300)}`,
      });
      break;
    case "instance": {
      p.done++;
      p.counts[event.verdict] = (p.counts[event.verdict] ?? 0) + 1;
      const detail = event.status.slice(0, 200);
      if (trackInstances) {
        p.instances.set(event.instanceId, {
          instanceId: event.instanceId,
          state: "done",
          verdict: event.verdict,
          detail,
          group: event.group,
        });
      }
      const kind = errorKindOf(event);
      if (kind) pushError(p, { kind, instanceId: event.instanceId, message: detail || event.verdict });
      break;
    }
    case "warning":
      if (event.kind === "throttled")
        pushError(p, { kind: "throttled", instanceId: event.instanceId, message: event.message.slice(0, 300) });
      if (event.kind === "ecs") p.ecsNote = event.message.slice(0, 500);
      break;
    case "scan-finished":
      p.status = event.status;
      if (event.status === "partial") p.note = partialNote(event.unresolved ?? 0, event.notSent ?? 0);
      p.finishedAt = event.at;
      p.counts = { ...event.counts };
      p.done = Object.values(event.counts).reduce((a, b) => a + (b ?? 0), 0);
      break;
  }
  return true;
}

/** The row GET /api/scans/:id returns, as far as polling needs it. */
export type ScanRowLike = Pick<ScanRow, "id" | "status" | "total" | "done" | "counts"> &
  Partial<Pick<ScanRow, "startedAt" | "finishedAt" | "error">>;

/** Polling fallback: the scan's row replaces the totals (per-instance detail then comes only from the stream). */
export function applyRow(p: ScanProgress, row: ScanRowLike) {
  p.status = row.status;
  if (row.status === "partial" && row.error) p.note = row.error;
  if (row.total !== undefined && row.total !== null) p.total = row.total;
  p.done = row.done;
  p.counts = { ...row.counts };
  p.startedAt ??= row.startedAt;
  if (row.finishedAt) p.finishedAt = row.finishedAt;
}

export function groupErrors(errors: readonly ScanError[]): Record<ErrorKind, ScanError[]> {
  const out = { undeliverable: [], throttled: [], failed: [], "timed-out": [] } as Record<ErrorKind, ScanError[]>;
  for (const e of errors) out[e.kind].push(e);
  return out;
}
