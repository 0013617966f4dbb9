import { FleetDoctorError } from "../errors.ts";

/**
 * The refusal of a second scan of a fleet while one runs (migrations/replicas-001.ts): CONFLICT (HTTP 409) naming the
 * running scan, as the API's callers already read it for a scan of the same targets.
 */
export function fleetBusy(fleet: string, running: string | undefined): FleetDoctorError {
  const which = running ? `: ${running}` : " (it ended as this one started; try again)";
  return new FleetDoctorError("CONFLICT", `A scan of fleet ${fleet} is already running${which}`, {
    fleet,
    ...(running ? { scanId: running } : {}),
  });
}

/** Whether an insert failed on the one-running-scan-per-fleet index (SQLite's or PostgreSQL's error). */
export function isFleetBusyError(e: unknown): boolean {
  const err = e as { code?: string; message?: string; constraint?: string };
  if (err?.code === "23505") return err.constraint === "scans_one_running_per_fleet";
  return err?.code === "SQLITE_CONSTRAINT_UNIQUE" && (err.message ?? "").includes("scans.running_fleet");
}
