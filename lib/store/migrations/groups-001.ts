import type { Migration } from "./types.ts";

/**
 * The audit of group fixes (issue 20): every write Fleet Doctor makes to EC2 or Auto Scaling for a group
 * (CreateLaunchTemplateVersion, UpdateAutoScalingGroup, StartInstanceRefresh), one row when it is asked (who, what,
 * the exact request) and one when AWS answered (the new version, the refresh id, or the error). Append-only, kept so
 * by triggers (the function `audit_append_only` of actions-001 on PostgreSQL).
 */
export const groups001: Migration = {
  id: "groups-001",
  up(db) {
    db.exec(`
      CREATE TABLE group_fix_audit (
        n INTEGER PRIMARY KEY,
        attempt_id TEXT NOT NULL,
        phase TEXT NOT NULL,
        fleet TEXT NOT NULL,
        group_name TEXT NOT NULL,
        step TEXT NOT NULL,
        actor TEXT NOT NULL,
        actor_role TEXT NOT NULL,
        at TEXT NOT NULL,
        template_id TEXT,
        version INTEGER,
        detail TEXT NOT NULL,
        UNIQUE (attempt_id, phase)
      );
      CREATE INDEX group_fix_audit_group ON group_fix_audit(fleet, group_name, n);
      CREATE TRIGGER group_fix_audit_no_update BEFORE UPDATE ON group_fix_audit
        BEGIN SELECT RAISE(ABORT, 'audit tables are append-only'); END;
      CREATE TRIGGER group_fix_audit_no_delete BEFORE DELETE ON group_fix_audit
        BEGIN SELECT RAISE(ABORT, 'audit tables are append-only'); END;
    `);
  },
  pg: `
    CREATE TABLE group_fix_audit (
      n BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      attempt_id TEXT COLLATE "C" NOT NULL,
      phase TEXT NOT NULL,
      fleet TEXT COLLATE "C" NOT NULL,
      group_name TEXT COLLATE "C" NOT NULL,
      step TEXT NOT NULL,
      actor TEXT NOT NULL,
      actor_role TEXT NOT NULL,
      at TEXT COLLATE "C" NOT NULL,
      template_id TEXT,
      version INTEGER,
      detail TEXT NOT NULL,
      UNIQUE (attempt_id, phase)
    );
    CREATE INDEX group_fix_audit_group ON group_fix_audit(fleet, group_name, n);
    CREATE TRIGGER group_fix_audit_append_only BEFORE UPDATE OR DELETE ON group_fix_audit
      FOR EACH ROW EXECUTE FUNCTION audit_append_only();
    CREATE TRIGGER group_fix_audit_no_truncate BEFORE TRUNCATE ON group_fix_audit
      FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
  `,
};
