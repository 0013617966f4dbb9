import type { Verdict } from "../diagnosis/types.ts";
import { isFleetScan } from "../scan/verification.ts";
import type { FleetStateStore, ScanStore } from "../store/interfaces.ts";
import type { ScanRow } from "../store/types.ts";

/** One fleet's line of the overview's table: its instances by verdict and its last finished scan. */
export type FleetSummary = { fleet: string; counts: Record<Verdict, number>; total: number; lastScan?: ScanRow };

/** How many scans back the last scan of each fleet is looked for (newest first). */
const SCANS = 500;

/**
 * Each fleet's counts (gone instances not counted) and last finished fleet scan, one count query per fleet: the
 * store's scope is one fleet, so no fleet's results are ever summed into another's.
 */
export async function fleetSummaries(
  store: Pick<FleetStateStore, "verdictCounts"> & Pick<ScanStore, "listScans">,
  fleets: readonly string[],
): Promise<FleetSummary[]> {
  const [scans, ...counts] = await Promise.all([
    store.listScans({ limit: SCANS }),
    ...fleets.map((fleet) => store.verdictCounts({ fleet })),
  ]);
  const finished = scans.filter((s) => s.status !== "running" && isFleetScan(s));
  return fleets.map((fleet, i) => {
    const c = counts[i]!;
    const lastScan = finished.find((s) => s.fleet === fleet);
    return {
      fleet,
      counts: c,
      total: Object.values(c).reduce((a, b) => a + b, 0),
      ...(lastScan ? { lastScan } : {}),
    };
  });
}
