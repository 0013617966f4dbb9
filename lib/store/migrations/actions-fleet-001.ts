import type { Migration } from "./types.ts";

/**
 * An action belongs to one fleet (`<account>/<region>`): an instance id is only unique inside one, so the claim that
 * keeps one restart per instance is keyed by (fleet, instance_id), and the audit lists an action under its fleet.
 * `actions.fleet` is NULL for actions from before this step (they ran on the one fleet of the default credentials).
 * `action_inflight` is a lock table, not audit: it is rebuilt with its key; a claim from before keeps the fleet ''
 * (unknown), which holds the instance id in every fleet until that action ends.
 * ALTER TABLE ADD COLUMN fires no row trigger, so the append-only triggers on `actions` stay as they are.
 */
export const actionsFleet001: Migration = {
  id: "actions-fleet-001",
  up(db) {
    db.exec(`
      ALTER TABLE actions ADD COLUMN fleet TEXT;
      CREATE INDEX actions_fleet ON actions(fleet, created_at DESC);

      CREATE TABLE action_inflight_fleet (
        fleet TEXT NOT NULL,
        instance_id TEXT NOT NULL,
        action_id TEXT NOT NULL REFERENCES actions(id),
        PRIMARY KEY (fleet, instance_id)
      ) WITHOUT ROWID;
      INSERT INTO action_inflight_fleet (fleet, instance_id, action_id) SELECT '', instance_id, action_id FROM action_inflight;
      DROP TABLE action_inflight;
      ALTER TABLE action_inflight_fleet RENAME TO action_inflight;
      CREATE INDEX action_inflight_instance ON action_inflight(instance_id);
      CREATE INDEX action_inflight_action ON action_inflight(action_id);
    `);
  },
  pg: `
    ALTER TABLE actions ADD COLUMN fleet TEXT COLLATE "C";
    CREATE INDEX actions_fleet ON actions(fleet, created_at DESC);

    ALTER TABLE action_inflight ADD COLUMN fleet TEXT COLLATE "C" NOT NULL DEFAULT '';
    ALTER TABLE action_inflight DROP CONSTRAINT action_inflight_pkey;
    ALTER TABLE action_inflight ADD PRIMARY KEY (fleet, instance_id);
    CREATE INDEX action_inflight_instance ON action_inflight(instance_id);
    CREATE INDEX action_inflight_action ON action_inflight(action_id);
  `,
};
