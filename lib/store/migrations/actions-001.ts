import type { Migration } from "./types.ts";

const AUDIT_TABLES = [
  "actions",
  "action_targets",
  "action_commands",
  "action_outcomes",
  "action_events",
  "action_runs",
];

/**
 * Restart actions and their audit trail (stream ACTIONS). Every table but `action_inflight` is append-only, enforced
 * by triggers: who asked, when, for which instances and why; the preflight of each instance; each SendCommand's id;
 * each instance's outcome; every event; which process drove the action. An action's status is its last event.
 * `action_inflight` is the lock that makes a restart idempotent: one row per instance with a restart under way.
 */
export const actions001: Migration = {
  id: "actions-001",
  up(db) {
    db.exec(`
      CREATE TABLE actions (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        actor TEXT NOT NULL,
        actor_role TEXT NOT NULL,
        forced INTEGER NOT NULL,
        reason TEXT,
        created_at TEXT NOT NULL,
        requested TEXT NOT NULL,
        max_concurrency INTEGER NOT NULL,
        max_errors INTEGER NOT NULL,
        wait_seconds INTEGER NOT NULL
      );
      CREATE INDEX actions_created ON actions(created_at DESC, id);

      CREATE TABLE action_targets (
        action_id TEXT NOT NULL REFERENCES actions(id),
        instance_id TEXT NOT NULL,
        n INTEGER NOT NULL,
        decision TEXT NOT NULL,
        reason TEXT,
        preflight TEXT NOT NULL,
        joined_action TEXT,
        PRIMARY KEY (action_id, instance_id)
      ) WITHOUT ROWID;
      CREATE INDEX action_targets_instance ON action_targets(instance_id);

      CREATE TABLE action_commands (
        action_id TEXT NOT NULL REFERENCES actions(id),
        batch INTEGER NOT NULL,
        command_id TEXT NOT NULL,
        instance_ids TEXT NOT NULL,
        sent_at TEXT NOT NULL,
        PRIMARY KEY (action_id, batch)
      ) WITHOUT ROWID;

      CREATE TABLE action_outcomes (
        action_id TEXT NOT NULL REFERENCES actions(id),
        instance_id TEXT NOT NULL,
        outcome TEXT NOT NULL,
        command_id TEXT,
        detail TEXT NOT NULL,
        verdict_after TEXT,
        scan_id TEXT,
        at TEXT NOT NULL,
        PRIMARY KEY (action_id, instance_id)
      ) WITHOUT ROWID;

      CREATE TABLE action_events (
        action_id TEXT NOT NULL REFERENCES actions(id),
        seq INTEGER NOT NULL,
        type TEXT NOT NULL,
        at TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (action_id, seq)
      ) WITHOUT ROWID;

      CREATE TABLE action_runs (
        id INTEGER PRIMARY KEY,
        action_id TEXT NOT NULL REFERENCES actions(id),
        pid INTEGER NOT NULL,
        started_at TEXT NOT NULL
      );
      CREATE INDEX action_runs_action ON action_runs(action_id, id);

      CREATE TABLE action_inflight (
        instance_id TEXT PRIMARY KEY,
        action_id TEXT NOT NULL REFERENCES actions(id)
      );
    `);
    for (const table of AUDIT_TABLES) {
      db.exec(`
        CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table}
          BEGIN SELECT RAISE(ABORT, 'audit tables are append-only'); END;
        CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}
          BEGIN SELECT RAISE(ABORT, 'audit tables are append-only'); END;
      `);
    }
  },
  // PostgreSQL: the same tables, and one trigger function that rejects UPDATE and DELETE row by row and TRUNCATE
  // (which fires no row trigger) as a statement.
  pg: `
    CREATE TABLE actions (
      id TEXT COLLATE "C" PRIMARY KEY,
      kind TEXT NOT NULL,
      actor TEXT NOT NULL,
      actor_role TEXT NOT NULL,
      forced INTEGER NOT NULL,
      reason TEXT,
      created_at TEXT COLLATE "C" NOT NULL,
      requested TEXT NOT NULL,
      max_concurrency INTEGER NOT NULL,
      max_errors INTEGER NOT NULL,
      wait_seconds INTEGER NOT NULL
    );
    CREATE INDEX actions_created ON actions(created_at DESC, id);

    CREATE TABLE action_targets (
      action_id TEXT COLLATE "C" NOT NULL REFERENCES actions(id),
      instance_id TEXT COLLATE "C" NOT NULL,
      n INTEGER NOT NULL,
      decision TEXT NOT NULL,
      reason TEXT,
      preflight TEXT NOT NULL,
      joined_action TEXT,
      PRIMARY KEY (action_id, instance_id)
    );
    CREATE INDEX action_targets_instance ON action_targets(instance_id);

    CREATE TABLE action_commands (
      action_id TEXT COLLATE "C" NOT NULL REFERENCES actions(id),
      batch INTEGER NOT NULL,
      command_id TEXT NOT NULL,
      instance_ids TEXT NOT NULL,
      sent_at TEXT NOT NULL,
      PRIMARY KEY (action_id, batch)
    );

    CREATE TABLE action_outcomes (
      action_id TEXT COLLATE "C" NOT NULL REFERENCES actions(id),
      instance_id TEXT COLLATE "C" NOT NULL,
      outcome TEXT NOT NULL,
      command_id TEXT,
      detail TEXT NOT NULL,
      verdict_after TEXT,
      scan_id TEXT,
      at TEXT COLLATE "C" NOT NULL,
      PRIMARY KEY (action_id, instance_id)
    );

    CREATE TABLE action_events (
      action_id TEXT COLLATE "C" NOT NULL REFERENCES actions(id),
      seq INTEGER NOT NULL,
      type TEXT NOT NULL,
      at TEXT NOT NULL,
      data TEXT NOT NULL,
      PRIMARY KEY (action_id, seq)
    );

    CREATE TABLE action_runs (
      id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      action_id TEXT COLLATE "C" NOT NULL REFERENCES actions(id),
      pid INTEGER NOT NULL,
      started_at TEXT NOT NULL
    );
    CREATE INDEX action_runs_action ON action_runs(action_id, id);

    CREATE TABLE action_inflight (
      instance_id TEXT COLLATE "C" PRIMARY KEY,
      action_id TEXT COLLATE "C" NOT NULL REFERENCES actions(id)
    );

    CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit tables are append-only (% on %)', TG_OP, TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
    END $$;
    ${AUDIT_TABLES.map(
      (t) => `
    CREATE TRIGGER ${t}_append_only BEFORE UPDATE OR DELETE ON ${t}
      FOR EACH ROW EXECUTE FUNCTION audit_append_only();
    CREATE TRIGGER ${t}_no_truncate BEFORE TRUNCATE ON ${t}
      FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();`,
    ).join("")}
  `,
};
