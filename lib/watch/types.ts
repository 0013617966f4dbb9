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
  /** What the last failed turn failed on, when it was not throttling (a denied role, an unreachable account). */
  error?: { code: string; message: string };
  fullScan: { cron?: string; lastScanId?: string; lastAt?: string; nextAt?: string };
  /**
   * With several fleets (a fleets file): each fleet's own state, one look per fleet per interval. A fleet that cannot
   * be entered is an error of its own; the others go on. Absent with the one fleet of the default credentials (the
   * fields above are then that fleet's).
   */
  fleets?: FleetWatch[];
};

/** One fleet's watch: its last look, when the next is due, whether it is behind, its error. */
export type FleetWatch = {
  /** `<account>/<region>` */
  fleet: string;
  name?: string;
  lastLook?: WatchLook;
  nextLookAt?: string;
  behind?: WatchStatus["behind"];
  error?: WatchStatus["error"];
  fullScan?: WatchStatus["fullScan"];
};
