import { GROUP_FIX_COLUMNS, type GroupFixDb, groupFixParams, MAX_GROUP_FIX_ROWS, toGroupFix } from "./group-fixes.ts";
import type { GroupFixStore } from "./interfaces.ts";
import type { Queryable } from "./pg.ts";

/** The PostgreSQL implementation of the group fixes' audit: one statement per verb. */
export function pgGroupFixStore(db: Queryable): GroupFixStore {
  return {
    async record(row) {
      await db.query(
        `INSERT INTO group_fix_audit (${GROUP_FIX_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        groupFixParams(row),
      );
    },
    async list(opts = {}) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (opts.fleet) {
        params.push(opts.fleet);
        where.push(`fleet = $${params.length}`);
      }
      if (opts.group) {
        params.push(opts.group);
        where.push(`group_name = $${params.length}`);
      }
      params.push(Math.min(Math.max(opts.limit ?? 100, 1), MAX_GROUP_FIX_ROWS));
      const r = await db.query<GroupFixDb>(
        `SELECT * FROM group_fix_audit ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY n DESC LIMIT $${params.length}`,
        params,
      );
      return r.rows.map(toGroupFix);
    },
  };
}
