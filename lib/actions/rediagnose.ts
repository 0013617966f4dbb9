import { isFleetDoctorError } from "../errors.ts";
import { runScan, type ScanContext } from "../scan/run-scan.ts";
import { scanDone } from "../scan/start-scan.ts";

/** How long a re-diagnosis waits for other scans of the fleet (the watcher's probe, another action's check). */
const WAIT_FOR_FLEET_MS = 120_000;

/**
 * The scan after a restart, on the instances it reached; returns its id. At most one scan of a fleet runs at a time
 * (the store refuses a second with CONFLICT naming the running one), and restarts are exactly when others scan too:
 * the watcher probing new launches, autopilot's actions of other groups verifying at once. Refused, it waits for
 * that scan to end and asks again, rather than leaving the restart without the probe's judgement.
 */
export async function rediagnose(
  ids: string[],
  ctx: Pick<ScanContext, "clients" | "store" | "config" | "fleet">,
  actor: string,
  waitMs = WAIT_FOR_FLEET_MS,
): Promise<string | undefined> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      let scanId: string | undefined;
      for await (const e of runScan({ kind: "ids", ids }, { ...ctx, actor })) {
        if (e.type === "scan-started") scanId = e.scanId;
      }
      return scanId;
    } catch (e) {
      const running = isFleetDoctorError(e) && e.code === "CONFLICT" ? e.details?.scanId : undefined;
      if (typeof running !== "string" || Date.now() >= deadline) throw e;
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        scanDone(ctx.store, running, 500).then(() => resolve(), resolve);
      });
      clearTimeout(timer);
    }
  }
}
