import type { Migration } from "./types.ts";

/**
 * `scans.takeover`: 1 when a server process runs the scan (startScan), so that when its owner dies another server
 * takes it over (lib/scan/resume-scans.ts) instead of it ending `interrupted`; 0 for the CLI's scans, which end
 * `interrupted` as soon as their lease runs out (nobody else has the CLI's terminal to report to).
 */
export const scanTakeover001: Migration = {
  id: "scan-takeover-001",
  up(db) {
    db.exec(`ALTER TABLE scans ADD COLUMN takeover INTEGER NOT NULL DEFAULT 0;`);
  },
  pg: `ALTER TABLE scans ADD COLUMN takeover INTEGER NOT NULL DEFAULT 0;`,
};
