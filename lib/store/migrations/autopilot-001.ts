import type { Migration } from "./types.ts";

/** Tables no verb may change once written: triggers abort UPDATE and DELETE (and TRUNCATE on PostgreSQL). */
const APPEND_ONLY = ["autopilot_log", "autopilot_claims"];

/**
 * Autopilot (lib/autopilot): the policies per Auto Scaling group of a fleet (group '' is the fleet's default), the
 * page's kill switch (one row), the tripped breakers (a row per tripped group, removed by an operator's reset), the
 * append-only log of everything autopilot did or decided and every change an operator made (who, before, after),
 * and the claims: one row per instance and agent failure and what was done about it, whose primary key is what
 * makes "never two restarts of one instance for one failure" hold across reviews and replicas.
 */
export const autopilot001: Migration = {
  id: "autopilot-001",
  up(db) {
    db.exec(`
      CREATE TABLE autopilot_policies (
        fleet TEXT NOT NULL,
        group_name TEXT NOT NULL,
        mode TEXT NOT NULL,
        dry_run INTEGER NOT NULL,
        max_restarts_per_hour INTEGER NOT NULL,
        breaker_failures INTEGER NOT NULL,
        breaker_window_minutes INTEGER NOT NULL,
        author TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (fleet, group_name)
      ) WITHOUT ROWID;

      CREATE TABLE autopilot_switch (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        engaged INTEGER NOT NULL,
        set_by TEXT NOT NULL,
        at TEXT NOT NULL
      );

      CREATE TABLE autopilot_breakers (
        fleet TEXT NOT NULL,
        group_name TEXT NOT NULL,
        tripped_at TEXT NOT NULL,
        failures INTEGER NOT NULL,
        PRIMARY KEY (fleet, group_name)
      ) WITHOUT ROWID;

      CREATE TABLE autopilot_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        fleet TEXT NOT NULL,
        group_name TEXT,
        instance_id TEXT,
        kind TEXT NOT NULL,
        detail TEXT NOT NULL,
        action_id TEXT,
        actor TEXT NOT NULL,
        change_before TEXT,
        change_after TEXT
      );
      CREATE INDEX autopilot_log_fleet ON autopilot_log(fleet, id DESC);
      CREATE INDEX autopilot_log_group ON autopilot_log(fleet, group_name, kind, at);

      CREATE TABLE autopilot_claims (
        instance_id TEXT NOT NULL,
        failure_key TEXT NOT NULL,
        what TEXT NOT NULL,
        fleet TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (instance_id, failure_key, what)
      ) WITHOUT ROWID;
    `);
    for (const table of APPEND_ONLY) {
      db.exec(`
        CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table}
          BEGIN SELECT RAISE(ABORT, 'audit tables are append-only'); END;
        CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}
          BEGIN SELECT RAISE(ABORT, 'audit tables are append-only'); END;
      `);
    }
  },
  // PostgreSQL: the same tables; audit_append_only() is the function actions-001 created.
  pg: `
    CREATE TABLE autopilot_policies (
      fleet TEXT COLLATE "C" NOT NULL,
      group_name TEXT COLLATE "C" NOT NULL,
      mode TEXT NOT NULL,
      dry_run INTEGER NOT NULL,
      max_restarts_per_hour INTEGER NOT NULL,
      breaker_failures INTEGER NOT NULL,
      breaker_window_minutes INTEGER NOT NULL,
      author TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      PRIMARY KEY (fleet, group_name)
    );

    CREATE TABLE autopilot_switch (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      engaged INTEGER NOT NULL,
      set_by TEXT NOT NULL,
      at TEXT NOT NULL
    );

    CREATE TABLE autopilot_breakers (
      fleet TEXT COLLATE "C" NOT NULL,
      group_name TEXT COLLATE "C" NOT NULL,
      tripped_at TEXT NOT NULL,
      failures INTEGER NOT NULL,
      PRIMARY KEY (fleet, group_name)
    );

    CREATE TABLE autopilot_log (
      id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      at TEXT COLLATE "C" NOT NULL,
      fleet TEXT COLLATE "C" NOT NULL,
      group_name TEXT COLLATE "C",
      instance_id TEXT,
      kind TEXT NOT NULL,
      detail TEXT NOT NULL,
      action_id TEXT,
      actor TEXT NOT NULL,
      change_before TEXT,
      change_after TEXT
    );
    CREATE INDEX autopilot_log_fleet ON autopilot_log(fleet, id DESC);
    CREATE INDEX autopilot_log_group ON autopilot_log(fleet, group_name, kind, at);

    CREATE TABLE autopilot_claims (
      instance_id TEXT COLLATE "C" NOT NULL,
      failure_key TEXT COLLATE "C" NOT NULL,
      what TEXT COLLATE "C" NOT NULL,
      fleet TEXT NOT NULL,
      at TEXT NOT NULL,
      PRIMARY KEY (instance_id, failure_key, what)
    );
    ${APPEND_ONLY.map(
      (t) => `
    CREATE TRIGGER ${t}_append_only BEFORE UPDATE OR DELETE ON ${t}
      FOR EACH ROW EXECUTE FUNCTION audit_append_only();
    CREATE TRIGGER ${t}_no_truncate BEFORE TRUNCATE ON ${t}
      FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();`,
    ).join("")}
  `,
};
