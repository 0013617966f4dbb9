/**
 * The watcher's state as every replica, page and the API see it (GET /api/watch). The leader writes it after each
 * look; any replica reads it from the store.
 */
export type WatchLook = {
  at: string;
  durationMs: number;
  /** AWS calls the look made (all of them cover many instances each). */
  calls: number;
  /** A full look (every managed instance and ECS's view, every few looks) rather than a quick one (groups, offline). */
  full?: boolean;
  /** Instances seen, and those it chose to probe, by why. */
  seen: number;
  found: { new: number; changed: number; stale: number; transitional?: number };
  /** The probe this look planned but did not run, and why (a scan of the fleet was already running: it is named). */
  skipped?: { reason: string; scanId?: string };
  /** The scan that probed them (absent when nothing needed a probe). */
  scanId?: string;
  /** The verdicts that scan found, by verdict. */
  verdicts?: Record<string, number>;
};

export type WatchStatus = {
  enabled: boolean;
  intervalSeconds: number;
  /** The replica that leads the watcher (lease owner) and until when its lease holds; null when none leads. */
  leader: { owner: string; expiresAt: string } | null;
  lastLook?: WatchLook;
  nextLookAt?: string;
  /** Set while the watcher is behind: throttled or failing, backing off; `since` when it fell behind. */
  behind?: { since: string; reason: string; retryAt: string };
  fullScan: { cron?: string; lastScanId?: string; lastAt?: string; nextAt?: string };
};
