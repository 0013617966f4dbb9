import { FleetDoctorError } from "../errors.ts";
import type { Store } from "../store/interfaces.ts";
import type { ScanRow } from "../store/types.ts";
import { fleetOf, runScan, type ScanContext } from "./run-scan.ts";
import type { Targets } from "./types.ts";

/**
 * Starts a scan in the background of this process and answers with its id at once (the row exists before this
 * returns, so GET /api/scans/:id and the event stream work immediately). CONFLICT with `{scanId}` when a scan over
 * the same targets holds a live lease, in this process or another (the CLI, another server), or when any scan of the
 * same fleet runs (decided by the store as it creates the row, so two replicas starting at once get one scan).
 */
export async function startScan(
  targets: Targets,
  ctx: Omit<ScanContext, "scanId" | "signal">,
): Promise<{ scanId: string }> {
  const conflict = (await ctx.store.runningScanFor(targets))?.id;
  if (conflict) {
    throw new FleetDoctorError("CONFLICT", `A scan over the same targets is already running: ${conflict}`, {
      scanId: conflict,
    });
  }
  // One scan per fleet across processes: the store refuses a second one atomically (CONFLICT naming it).
  const fleet = ctx.fleet ?? (await fleetOf(ctx.clients));
  const scan = await ctx.store.createScan({ targets, fleet: fleet.id, ...(ctx.actor ? { actor: ctx.actor } : {}) });
  // A server's scan: when this process dies, another server takes it over (resume-scans.ts).
  await ctx.store.markScanTakeover(scan.id);
  void (async () => {
    try {
      for await (const _ of runScan(targets, { ...ctx, fleet, scanId: scan.id })) {
        // Events are stored by runScan; watchers read them from the store.
      }
    } catch (e) {
      // runScan ends every scan with a status itself; this is a last resort so a bug never leaves it `running`.
      console.error(`[fleet-doctor] scan ${scan.id} crashed:`, e);
      await ctx.store
        .finishScan(scan.id, "failed", String((e as Error)?.message ?? e).slice(0, 500))
        .catch(() => undefined);
    }
  })();
  return { scanId: scan.id };
}

/** Resolves when the scan has ended, wherever it runs (woken by its events here, polled for other processes). */
export async function scanDone(store: Store, scanId: string, pollMs = 1000): Promise<ScanRow | undefined> {
  for (;;) {
    const scan = await store.getScan(scanId);
    if (scan?.status !== "running") return scan;
    await new Promise<void>((resolve) => {
      const stop = store.onScanEvent(scanId, done);
      const timer = setTimeout(done, pollMs);
      function done() {
        stop();
        clearTimeout(timer);
        resolve();
      }
    });
  }
}

/**
 * Asks a running scan to stop, whichever process runs it (its lease carries the request; the owner's heartbeat
 * hears it): its outstanding commands are cancelled and it ends `cancelled`. CONFLICT when it has already ended
 * (including a scan whose owner died: it is `interrupted`).
 */
export async function cancelScan(store: Store, scan: ScanRow): Promise<{ scanId: string; status: "cancelling" }> {
  if (scan.status === "running" && (await store.requestScanCancel(scan.id))) {
    return { scanId: scan.id, status: "cancelling" };
  }
  const now = (await store.getScan(scan.id)) ?? scan;
  throw new FleetDoctorError("CONFLICT", `Scan ${scan.id} has already ended (${now.status}).`, {
    scanId: scan.id,
    status: now.status,
  });
}
