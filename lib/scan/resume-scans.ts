import type { Store } from "../store/interfaces.ts";
import { runScan, type ScanContext } from "./run-scan.ts";

/**
 * Takes over every server scan whose owner died (its lease ran out) and drives it to its end in the background of
 * this process, as the same scan: the commands already sent are collected, never sent again (runScan's `resume`).
 * Any process may call it at any time; of two trying at once, the store lets one take each scan. The CLI never
 * calls it, and its own scans are not marked for takeover: a CLI scan whose process dies ends `interrupted`.
 */
export async function resumeScans(
  ctx: Omit<ScanContext, "scanId" | "signal" | "resume"> & { store: Store },
): Promise<{ scanId: string; done: Promise<void> }[]> {
  const { store } = ctx;
  const resumed: { scanId: string; done: Promise<void> }[] = [];
  for (const scanId of await store.orphanedScans()) {
    if (!(await store.takeOverScan(scanId))) continue;
    const row = await store.getScan(scanId);
    if (row?.status !== "running") continue;
    const done = (async () => {
      try {
        for await (const _ of runScan(row.targets, { ...ctx, scanId, resume: true })) {
          // stored by runScan; watchers read the store
        }
      } catch (e) {
        // runScan ends every scan with a status itself; a last resort so a bug never leaves it `running`.
        console.error(`[fleet-doctor] scan ${scanId} (taken over) crashed:`, e);
        await store.finishScan(scanId, "failed", String((e as Error)?.message ?? e).slice(0, 500)).catch(() => {});
      }
    })();
    resumed.push({ scanId, done });
  }
  return resumed;
}
