import type { Migration } from "./types.ts";

/**
 * The ECS control plane's view (lib/aws/ecs.ts) with each result: `results.ecs` holds it as JSON (absent when ECS was
 * not asked or could not be); `registered` (1 registered, 0 not, NULL not asked), in `results` and `latest` like the
 * other summary columns, is what the instance list filters and sorts on. `scans.ecs_note` says why a scan went
 * without ECS's view (AccessDenied, ...).
 */
export const ecs001: Migration = {
  id: "ecs-001",
  up(db) {
    db.exec(`
      ALTER TABLE results ADD COLUMN ecs TEXT;
      ALTER TABLE results ADD COLUMN registered INTEGER;
      ALTER TABLE latest ADD COLUMN registered INTEGER;
      CREATE INDEX latest_registered ON latest(registered, instance_id);
      ALTER TABLE scans ADD COLUMN ecs_note TEXT;
    `);
  },
  // PostgreSQL: the same columns (the JSON as text, registered as 0/1, as lib/store/rows.ts reads them).
  pg: `
    ALTER TABLE results ADD COLUMN ecs TEXT;
    ALTER TABLE results ADD COLUMN registered INTEGER;
    ALTER TABLE latest ADD COLUMN registered INTEGER;
    CREATE INDEX latest_registered ON latest(registered, instance_id);
    ALTER TABLE scans ADD COLUMN ecs_note TEXT;
  `,
};
