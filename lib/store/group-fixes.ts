import type Database from "better-sqlite3";
import type { GroupFixAuditRow, GroupFixStore } from "./interfaces.ts";

/** A row of group_fix_audit as both engines return it. */
export type GroupFixDb = {
  attempt_id: string;
  phase: GroupFixAuditRow["phase"];
  fleet: string;
  group_name: string;
  step: GroupFixAuditRow["step"];
  actor: string;
  actor_role: string;
  at: string;
  template_id: string | null;
  version: number | string | null;
  detail: string;
};

export const MAX_GROUP_FIX_ROWS = 500;

export function toGroupFix(r: GroupFixDb): GroupFixAuditRow {
  return {
    attemptId: r.attempt_id,
    phase: r.phase,
    fleet: r.fleet,
    group: r.group_name,
    step: r.step,
    actor: r.actor,
    actorRole: r.actor_role,
    at: r.at,
    ...(r.template_id !== null ? { templateId: r.template_id } : {}),
    ...(r.version !== null ? { version: Number(r.version) } : {}),
    detail: r.detail,
  };
}

/** The columns in insert order, for both engines. */
export function groupFixParams(row: GroupFixAuditRow): unknown[] {
  return [
    row.attemptId,
    row.phase,
    row.fleet,
    row.group,
    row.step,
    row.actor,
    row.actorRole,
    row.at,
    row.templateId ?? null,
    row.version ?? null,
    row.detail.slice(0, 100_000),
  ];
}

export const GROUP_FIX_COLUMNS =
  "attempt_id, phase, fleet, group_name, step, actor, actor_role, at, template_id, version, detail";

/** The SQLite implementation: INSERT and SELECT only (triggers refuse UPDATE and DELETE). */
export function groupFixStore(db: Database.Database): GroupFixStore {
  const insert = db.prepare(
    `INSERT INTO group_fix_audit (${GROUP_FIX_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  return {
    async record(row) {
      insert.run(...groupFixParams(row));
    },
    async list(opts = {}) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (opts.fleet) {
        where.push("fleet = ?");
        params.push(opts.fleet);
      }
      if (opts.group) {
        where.push("group_name = ?");
        params.push(opts.group);
      }
      const limit = Math.min(Math.max(opts.limit ?? 100, 1), MAX_GROUP_FIX_ROWS);
      const rows = db
        .prepare(
          `SELECT * FROM group_fix_audit ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY n DESC LIMIT ?`,
        )
        .all(...params, limit) as GroupFixDb[];
      return rows.map(toGroupFix);
    },
  };
}
