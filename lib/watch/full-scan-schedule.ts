import { Cron } from "croner";

/** The next time after `after` the full-scan cron expression (UTC, validated by lib/config.ts) fires. */
export function nextFullScan(cron: string | undefined, after: Date): Date | undefined {
  if (!cron) return undefined;
  const job = new Cron(cron, { paused: true, timezone: "UTC" });
  try {
    return job.nextRun(after) ?? undefined;
  } finally {
    job.stop();
  }
}
