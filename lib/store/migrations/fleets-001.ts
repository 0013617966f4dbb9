import type { Migration } from "./types.ts";

/**
 * Fleet membership. A scan records the fleet (`<account>/<region>`) it read; an instance's fleet is its latest
 * result's scan's. `fleet_gone` holds, per instance, when a completed full scan of its fleet last failed to see
 * it: the instance is gone while that time is after its latest result (a later result brings it back).
 * Scans from before this step have no fleet: they count with the fleet in view until its first full scan, which
 * marks what it does not see gone.
 */
export const fleets001: Migration = {
  id: "fleets-001",
  up(db) {
    db.exec(`
      ALTER TABLE scans ADD COLUMN fleet TEXT;
      CREATE INDEX scans_fleet ON scans(fleet);

      CREATE TABLE fleet_gone (
        instance_id TEXT PRIMARY KEY,
        fleet TEXT NOT NULL,
        since TEXT NOT NULL,
        scan_id TEXT NOT NULL REFERENCES scans(id) ON DELETE CASCADE
      );
    `);
  },
  pg: `
    ALTER TABLE scans ADD COLUMN fleet TEXT COLLATE "C";
    CREATE INDEX scans_fleet ON scans(fleet);

    CREATE TABLE fleet_gone (
      instance_id TEXT COLLATE "C" PRIMARY KEY,
      fleet TEXT COLLATE "C" NOT NULL,
      since TEXT COLLATE "C" NOT NULL,
      scan_id TEXT COLLATE "C" NOT NULL REFERENCES scans(id) ON DELETE CASCADE
    );
  `,
};
