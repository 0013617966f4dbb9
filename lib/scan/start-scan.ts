import { FleetDoctorError } from "../errors.ts";
import type { ScanRow } from "../store/types.ts";
import { runScan, type ScanContext } from "./run-scan.ts";
import { targetKey } from "./targets.ts";
import type { Targets } from "./types.ts";

type Running = { scanId: string; key: string; controller: AbortController; done: Promise<void> };

// On globalThis: the Next.js server compiles each route as its own entry, and POST /api/scans and
// DELETE /api/scans/:id must see the same running scans.
const KEY = Symbol.for("fleet-doctor.running-scans");
function registry(): Map<string, Running> {
  const g = globalThis as { [KEY]?: Map<string, Running> };
  g[KEY] ??= new Map();
  return g[KEY];
}

/**
 * Starts a scan in the background of this process and answers with its id at once (the row exists before this
 * returns, so GET /api/scans/:id and the event stream work immediately). CONFLICT with `{scanId}` when a scan over
 * the same targets is still running, here or in another live process (the CLI).
 */
export function startScan(targets: Targets, ctx: Omit<ScanContext, "scanId" | "signal">): { scanId: string } {
  const key = targetKey(targets);
  const conflict = [...registry().values()].find((r) => r.key === key)?.scanId ?? ctx.store.runningScanFor(targets)?.id;
  if (conflict) {
    throw new FleetDoctorError("CONFLICT", `A scan over the same targets is already running: ${conflict}`, {
      scanId: conflict,
    });
  }
  const scan = ctx.store.createScan({ targets, ...(ctx.actor ? { actor: ctx.actor } : {}) });
  const controller = new AbortController();
  const done = (async () => {
    try {
      for await (const _ of runScan(targets, { ...ctx, scanId: scan.id, signal: controller.signal })) {
        // Events are stored by runScan; watchers read them from the store.
      }
    } catch (e) {
      // runScan ends every scan with a status itself; this is a last resort so a bug never leaves it `running`.
      console.error(`[fleet-doctor] scan ${scan.id} crashed:`, e);
      ctx.store.finishScan(scan.id, "failed", undefined, String((e as Error)?.message ?? e).slice(0, 500));
    } finally {
      registry().delete(scan.id);
    }
  })();
  registry().set(scan.id, { scanId: scan.id, key, controller, done });
  return { scanId: scan.id };
}

/** Whether this process is running the scan. */
export function isRunningHere(scanId: string): boolean {
  return registry().has(scanId);
}

/** Resolves when a scan started here has finished (at once if it is not running here). */
export function scanDone(scanId: string): Promise<void> {
  return registry().get(scanId)?.done ?? Promise.resolve();
}

/**
 * Asks a running scan to stop: its outstanding commands are cancelled and it ends `cancelled`. CONFLICT when it has
 * already finished or runs in another process (which this one cannot signal).
 */
export function cancelScan(scan: ScanRow): { scanId: string; status: "cancelling" } {
  const running = registry().get(scan.id);
  if (running) {
    running.controller.abort(new Error("cancelled"));
    return { scanId: scan.id, status: "cancelling" };
  }
  if (scan.status !== "running") {
    throw new FleetDoctorError("CONFLICT", `Scan ${scan.id} has already ended (${scan.status}).`, {
      scanId: scan.id,
      status: scan.status,
    });
  }
  throw new FleetDoctorError("CONFLICT", `Scan ${scan.id} runs in another process and cannot be cancelled from here.`, {
    scanId: scan.id,
    status: scan.status,
  });
}
