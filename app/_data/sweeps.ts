import "server-only";
import { listSweeps } from "@/lib/scan/get-sweep.ts";
import type { SweepView } from "@/lib/scan/sweep-types.ts";
import { getStore } from "@/lib/store/index.ts";
import { currentViewer } from "./viewer.ts";

/** Sweeps (scans over several fleets), newest first, each with its fleets' scans or errors: the Scans page's. */
export async function loadSweeps(limit = 50): Promise<SweepView[]> {
  await currentViewer();
  return listSweeps(getStore(), { limit });
}
