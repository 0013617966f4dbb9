import type { Clients } from "../aws/clients.ts";
import { errorName } from "../aws/errors.ts";
import { fleetOf as fleetNamed } from "../aws/fleet.ts";
import type { Config } from "../config.ts";
import { isFleetDoctorError } from "../errors.ts";
import { clientsForFleet, describeFleetError } from "../fleets/clients-for-fleet.ts";
import type { FleetTarget } from "../fleets/types.ts";
import type { Store } from "../store/interfaces.ts";
import { runScan, type ScanContext, type ScanTuning } from "./run-scan.ts";
import type { FleetSelection } from "./select-fleets.ts";
import { scanDone } from "./start-scan.ts";
import type { SweepFleet, SweepFleetError, SweepRow, SweepStatus } from "./sweep-types.ts";
import type { Targets } from "./types.ts";

/** Fleets read at once by default: each has its own clients, so this bounds this process's work, not AWS's pace. */
export const SWEEP_CONCURRENCY = 8;

export type SweepContext = {
  store: Store;
  config: ScanContext["config"] & Pick<Config, "maxAttempts">;
  actor?: string;
  /** Fleets read at once (at least 1). */
  concurrency?: number;
  tuning?: Partial<ScanTuning>;
  /**
   * A server's sweep: each fleet's scan is marked for takeover (another server resumes it if this process dies,
   * as startScan's). The CLI's are not: they end `interrupted` with it.
   */
  takeover?: boolean;
  /** The clients that read one fleet (default: clientsForFleet, each fleet its own pacing and retry budget). */
  clientsFor?: (target: FleetTarget) => Clients;
};

/** POST /api/scans' answer for a sweep: `scanId` too when it read one fleet (the single-fleet callers read it). */
export type SweepAnswer = { sweepId: string; scanId?: string; scans: SweepFleet[] };

/**
 * Starts a sweep: one scan per fleet, several fleets at once (`concurrency`), each with its own clients so that one
 * account's throttling or attempt budget never slows another. Answers once the first fleets have their scan (or
 * their error) recorded; `done` settles when every fleet has ended and the sweep is finished.
 *
 * Each fleet is entered first (its credentials resolved: the role chain assumed): a role that cannot be assumed is
 * that fleet's error, with no scan. A fleet whose scan is already running (CONFLICT from createScan) is joined, not
 * failed. A fleet whose scan fails (AccessDenied, throttled past its budget, unreachable) is that fleet's error. The
 * sweep ends `completed` when every fleet's scan completed, else `partial`: never failed for one fleet.
 */
export async function startSweep(
  selection: FleetSelection,
  targets: Targets,
  ctx: SweepContext,
): Promise<SweepAnswer & { done: Promise<SweepRow> }> {
  const { store } = ctx;
  const ids = [...selection.targets.map((t) => t.id), ...selection.errors.map((e) => e.fleet)];
  const sweep = await store.sweeps.create({
    fleets: ids,
    targets,
    ...(ctx.actor ? { actor: ctx.actor } : {}),
  });
  for (const e of selection.errors) {
    await store.sweeps.recordFleet(sweep.id, { fleet: e.fleet, error: { code: e.code, message: e.message } });
  }

  const concurrency = Math.max(1, Math.floor(ctx.concurrency ?? SWEEP_CONCURRENCY));
  const queue = [...selection.targets];
  const firstWave = queue.slice(0, concurrency).map(() => deferred());
  let started = 0;
  const worker = async () => {
    for (let t = queue.shift(); t; t = queue.shift()) {
      const wave = firstWave[started++];
      await readFleet(sweep.id, t, targets, ctx, () => wave?.resolve()).catch((e) => {
        // readFleet records every expected failure itself; this is a last resort so a bug never stops the sweep.
        console.error(`[fleet-doctor] sweep ${sweep.id}: fleet ${t.id} crashed:`, e);
        wave?.resolve();
        return store.sweeps.recordFleet(sweep.id, { fleet: t.id, error: asFleetError(e) }).catch(() => undefined);
      });
    }
  };
  const done = (async () => {
    await Promise.all(Array.from({ length: Math.min(concurrency, selection.targets.length) }, worker));
    await store.sweeps.finish(sweep.id, await sweepOutcome(store, sweep.id));
    return (await store.sweeps.get(sweep.id))!;
  })();
  done.catch((e) => console.error(`[fleet-doctor] sweep ${sweep.id} could not be finished:`, e));

  await Promise.all(firstWave.map((d) => d.promise));
  const now = (await store.sweeps.get(sweep.id))!;
  const only = now.fleets.length === 1 ? now.fleets[0]?.scanId : undefined;
  return { sweepId: sweep.id, ...(only ? { scanId: only } : {}), scans: now.fleets, done };
}

/** Enters one fleet, creates (or joins) its scan, records it, calls `started`, then reads the fleet to its end. */
async function readFleet(
  sweepId: string,
  target: FleetTarget,
  targets: Targets,
  ctx: SweepContext,
  started: () => void,
): Promise<void> {
  const { store } = ctx;
  const record = async (entry: Omit<SweepFleet, "fleet">) => {
    await store.sweeps.recordFleet(sweepId, { fleet: target.id, ...entry });
    started();
  };
  let clients: Clients;
  try {
    clients = (ctx.clientsFor ?? ((t) => clientsForFleet(t, ctx.config, ctx.actor ? { user: ctx.actor } : {})))(target);
    // Enter the account before a scan row exists: a role that cannot be assumed is this fleet's error, no scan.
    await clients.ssm.config.credentials();
  } catch (e) {
    const { code, message } = describeFleetError(e, target);
    return record({ error: { code, message } });
  }

  let scanId: string;
  try {
    scanId = (await store.createScan({ targets, fleet: target.id, ...(ctx.actor ? { actor: ctx.actor } : {}) })).id;
  } catch (e) {
    const running = isFleetDoctorError(e) && e.code === "CONFLICT" ? e.details?.scanId : undefined;
    if (typeof running !== "string") return record({ error: asFleetError(e) });
    // The fleet is being scanned already (by a scan, the watcher or another sweep): its scan is this sweep's too.
    await record({ scanId: running, joined: true });
    const ended = await scanDone(store, running);
    if (ended && ended.status !== "completed" && ended.status !== "partial") {
      await store.sweeps.recordFleet(sweepId, {
        fleet: target.id,
        scanId: running,
        joined: true,
        error: {
          code: `SCAN_${ended.status.toUpperCase()}`,
          message: ended.error ?? `The scan ended ${ended.status}.`,
        },
      });
    }
    return;
  }
  if (ctx.takeover) await store.markScanTakeover(scanId);
  await record({ scanId });

  let errorCode: string | undefined;
  let status: string | undefined;
  try {
    const fleet = fleetNamed(target.account, target.region, "sts");
    for await (const e of runScan(targets, {
      clients,
      store,
      config: ctx.config,
      fleet,
      scanId,
      ...(ctx.actor ? { actor: ctx.actor } : {}),
      ...(ctx.tuning ? { tuning: ctx.tuning } : {}),
    })) {
      if (e.type === "scan-finished") {
        status = e.status;
        errorCode = e.errorCode;
      }
    }
  } catch (e) {
    await store.finishScan(scanId, "failed", String((e as Error)?.message ?? e).slice(0, 500)).catch(() => undefined);
    status = "failed";
  }
  if (status !== "completed" && status !== "partial") {
    // The scan row keeps the whole story; the sweep names the fleet's error so that one look shows which failed.
    const row = await store.getScan(scanId);
    await store.sweeps.recordFleet(sweepId, {
      fleet: target.id,
      scanId,
      error: {
        code: errorCode ?? `SCAN_${String(row?.status ?? status ?? "failed").toUpperCase()}`,
        message: row?.error ?? `The scan ended ${row?.status ?? status}.`,
      },
    });
  }
}

/** `completed` when every fleet's scan completed; anything else (an error, a partial scan) makes it `partial`. */
async function sweepOutcome(store: Store, sweepId: string): Promise<Exclude<SweepStatus, "running">> {
  const sweep = await store.sweeps.get(sweepId);
  for (const f of sweep?.fleets ?? []) {
    if (f.error || !f.scanId) return "partial";
    if ((await store.getScan(f.scanId))?.status !== "completed") return "partial";
  }
  return "completed";
}

/** A fleet's error from what was thrown: AWS's code (AccessDenied, ...) or ours, and a message without a stack. */
export function asFleetError(e: unknown): SweepFleetError {
  if (isFleetDoctorError(e)) return { code: e.code, message: e.message };
  const message = String((e as Error)?.message ?? e).slice(0, 500);
  return { code: errorName(e), message };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
