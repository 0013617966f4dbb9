import { FleetDoctorError } from "../errors.ts";
import type { Store } from "../store/interfaces.ts";
import type { SweepRow, SweepView } from "./sweep-types.ts";

/** A sweep with each fleet's scan (status, done/total, counts) or error: what GET /api/sweeps/:id and the CLI show. */
export async function getSweep(store: Store, id: string): Promise<SweepView | undefined> {
  const sweep = await store.sweeps.get(id);
  return sweep ? withScans(store, sweep) : undefined;
}

async function withScans(store: Store, sweep: SweepRow): Promise<SweepView> {
  const fleets = await Promise.all(
    sweep.fleets.map(async (f) => {
      const scan = f.scanId ? await store.getScan(f.scanId) : undefined;
      if (!scan) return f;
      const { status, done, total, counts, startedAt, finishedAt, error } = scan;
      return {
        ...f,
        scan: {
          status,
          done,
          counts,
          startedAt,
          ...(total !== undefined ? { total } : {}),
          ...(finishedAt ? { finishedAt } : {}),
          ...(error ? { error } : {}),
        },
      };
    }),
  );
  return { ...sweep, fleets };
}

export async function requireSweep(store: Store, id: string): Promise<SweepView> {
  const sweep = await getSweep(store, id);
  if (!sweep) throw new FleetDoctorError("NOT_FOUND", `No sweep with id ${id}`, { sweepId: id });
  return sweep;
}

/** Sweeps newest first, each with its fleets' scans (the Scans page's sweep rows). */
export async function listSweeps(store: Store, opts: { limit?: number; before?: string } = {}): Promise<SweepView[]> {
  const sweeps = await store.sweeps.list(opts);
  return Promise.all(sweeps.map((s) => withScans(store, s)));
}
