import { isFleetDoctorError } from "../errors.ts";
import type { ScanContext } from "../scan/run-scan.ts";
import { cancelScan, scanDone, startScan } from "../scan/start-scan.ts";
import type { ScanStatus, Targets } from "../scan/types.ts";

export const WATCHER_ACTOR = "watcher";

export type ProbeOutcome =
  | { kind: "scanned"; scanId: string; status: ScanStatus; verdicts: Record<string, number>; error?: string }
  | { kind: "skipped"; reason: string; scanId?: string };

/**
 * One scan by the watcher, through startScan like any scan (stored, streamed, listed; actor `watcher`), waited for
 * to its end. When a scan of the fleet is already running (a user's, or one a dead leader left until its lease
 * runs out), the store refuses this one with CONFLICT: the probe is skipped and says which scan holds the fleet.
 * Aborting `signal` (leadership lost, Ctrl-C) cancels the scan and waits for it to end `cancelled`.
 */
export async function probe(
  targets: Targets,
  ctx: Omit<ScanContext, "scanId" | "signal" | "actor">,
  signal: AbortSignal,
  /** Called once the scan exists (before it ends), so its id can be shown while it runs. */
  onStarted?: (scanId: string) => void,
): Promise<ProbeOutcome> {
  let scanId: string;
  try {
    ({ scanId } = await startScan(targets, { ...ctx, actor: WATCHER_ACTOR }));
  } catch (e) {
    if (!isFleetDoctorError(e) || e.code !== "CONFLICT") throw e;
    const running = typeof e.details?.scanId === "string" ? e.details.scanId : undefined;
    return {
      kind: "skipped",
      reason: running ? `scan ${running} of the fleet is running` : e.message,
      ...(running ? { scanId: running } : {}),
    };
  }
  onStarted?.(scanId);
  const cancel = () => {
    void ctx.store.getScan(scanId).then((scan) => scan && cancelScan(ctx.store, scan).catch(() => undefined));
  };
  signal.addEventListener("abort", cancel, { once: true });
  try {
    const done = await scanDone(ctx.store, scanId, 500);
    return {
      kind: "scanned",
      scanId,
      status: done?.status ?? "interrupted",
      verdicts: Object.fromEntries(Object.entries(done?.counts ?? {}).filter(([, n]) => (n ?? 0) > 0)) as Record<
        string,
        number
      >,
      ...(done?.error ? { error: done.error } : {}),
    };
  } finally {
    signal.removeEventListener("abort", cancel);
  }
}
