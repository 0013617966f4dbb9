import type { Migration } from "./types.ts";

/**
 * At most one running scan per fleet, across every process on the database: `scans.running_fleet` holds the fleet
 * (`<account>/<region>`) a scan was started for while it runs (cleared when it ends), and a unique index on it makes
 * a second start of the same fleet fail inside the inserting transaction: no window between "is one running?" and
 * "start one" (lib/store/store.ts and pg-store.ts createScan). Older scans and scans started without a fleet keep
 * it NULL, which the index does not hold against each other.
 */
export const replicas001: Migration = {
  id: "replicas-001",
  up(db) {
    db.exec(`
      ALTER TABLE scans ADD COLUMN running_fleet TEXT;
      CREATE UNIQUE INDEX scans_one_running_per_fleet ON scans(running_fleet) WHERE running_fleet IS NOT NULL;
    `);
  },
  pg: `
    ALTER TABLE scans ADD COLUMN running_fleet TEXT COLLATE "C";
    CREATE UNIQUE INDEX scans_one_running_per_fleet ON scans(running_fleet) WHERE running_fleet IS NOT NULL;
  `,
};
