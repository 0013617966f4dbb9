import type { Store } from "../store/interfaces.ts";
import type { SweepRow, SweepStatus } from "./sweep-types.ts";

/**
 * The lease (a LeaderStore lease by name, renewed by the driving store's heartbeat) that says a live process drives a
 * sweep: taken before the sweep's row exists, given up once it is finished.
 */
export const sweepLease = (sweepId: string) => `sweep:${sweepId}`;

/** `completed` when every fleet's scan completed; anything else (an error, a partial scan) makes it `partial`. */
export async function sweepOutcome(store: Store, sweep: SweepRow): Promise<Exclude<SweepStatus, "running">> {
  for (const f of sweep.fleets) {
    if (f.error || !f.scanId) return "partial";
    if ((await store.getScan(f.scanId))?.status !== "completed") return "partial";
  }
  return "completed";
}

const ABANDONED = "The process running this sweep stopped before it reached this fleet.";

/**
 * A running sweep whose driver died (its lease ran out): the fleets it never reached become errors of their own
 * (INTERRUPTED), and once every fleet's scan has ended (a server's scans are taken over by another server and go on)
 * the sweep is finished as its driver would have. Called when a sweep is read, so no process has to watch for it.
 */
export async function settleAbandonedSweep(store: Store, sweep: SweepRow): Promise<SweepRow> {
  if (sweep.status !== "running" || (await store.leaderOf(sweepLease(sweep.id)))) return sweep;
  for (const f of sweep.fleets) {
    if (!f.scanId && !f.error) {
      await store.sweeps.recordFleet(sweep.id, { fleet: f.fleet, error: { code: "INTERRUPTED", message: ABANDONED } });
    }
  }
  const now = (await store.sweeps.get(sweep.id)) ?? sweep;
  const scans = await Promise.all(now.fleets.map((f) => (f.scanId ? store.getScan(f.scanId) : undefined)));
  if (scans.some((s) => s?.status === "running")) return now;
  await store.sweeps.finish(now.id, await sweepOutcome(store, now));
  return (await store.sweeps.get(now.id)) ?? now;
}
