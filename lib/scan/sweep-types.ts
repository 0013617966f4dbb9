import type { ScanRow } from "../store/types.ts";
import type { Targets } from "./types.ts";

/**
 * A sweep: one scan over several fleets (lib/scan/start-sweep.ts). It ends `completed` when every fleet's scan
 * completed, `partial` otherwise (a fleet that could not be entered or read, or whose scan did not complete): one
 * fleet's trouble never fails the others.
 */
export type SweepStatus = "running" | "completed" | "partial";

/** Why one fleet of a sweep was not read: `code` is AWS's (AccessDenied, ...) or Fleet Doctor's. */
export type SweepFleetError = { code: string; message: string };

/** One fleet of a sweep: pending, read by a scan (started by the sweep, or a running one it joined), or an error. */
export type SweepFleet = {
  fleet: string;
  scanId?: string;
  /** The fleet's scan was already running when the sweep reached it: the sweep joined it. */
  joined?: boolean;
  error?: SweepFleetError;
};

export type SweepRow = {
  id: string;
  status: SweepStatus;
  actor?: string;
  targets: Targets;
  startedAt: string;
  finishedAt?: string;
  /** Every fleet asked for, in the order asked. */
  fleets: SweepFleet[];
};

/** A sweep's fleet as GET /api/sweeps/:id shows it: with its scan's status and counts. */
export type SweepFleetView = SweepFleet & {
  scan?: Pick<ScanRow, "status" | "done" | "total" | "counts" | "startedAt" | "finishedAt" | "error">;
};

export type SweepView = Omit<SweepRow, "fleets"> & { fleets: SweepFleetView[] };
