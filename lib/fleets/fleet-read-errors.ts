import type { ScanStore, SweepStore } from "../store/interfaces.ts";

export type FleetReadError = { code: string; message: string; at: string };

/**
 * Why each fleet could not be read the last time a sweep tried (its role could not be assumed, a call was denied):
 * the newest sweep that reached the fleet decides, and a scan of the fleet started after that sweep clears it.
 * Listing the fleets never assumes a role, so this is where a fleet's access error is known from.
 */
export async function fleetReadErrors(
  store: { sweeps: Pick<SweepStore, "list"> } & Pick<ScanStore, "listScans">,
  limit = 50,
): Promise<Map<string, FleetReadError>> {
  const [sweeps, scans] = await Promise.all([store.sweeps.list({ limit }), store.listScans({ limit: 500 })]);
  const decided = new Set<string>();
  const errors = new Map<string, FleetReadError>();
  // The sweep's own scan of a fleet (one that then failed) does not clear the error it ended with.
  const own = new Map<string, string>();
  for (const sweep of sweeps) {
    for (const f of sweep.fleets) {
      if (decided.has(f.fleet) || (!f.scanId && !f.error)) continue;
      decided.add(f.fleet);
      if (f.error) errors.set(f.fleet, { code: f.error.code, message: f.error.message, at: sweep.startedAt });
      if (f.error && f.scanId) own.set(f.fleet, f.scanId);
    }
  }
  for (const [fleet, e] of errors) {
    // Read since (a scan of that fleet alone, or the role fixed and the fleet scanned again).
    if (scans.some((s) => s.fleet === fleet && s.startedAt > e.at && s.id !== own.get(fleet))) errors.delete(fleet);
  }
  return errors;
}
