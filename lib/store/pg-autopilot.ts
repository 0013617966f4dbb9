import type pg from "pg";
import type { AutopilotEntry } from "../autopilot/types.ts";
import {
  type BreakerDb,
  changeEntry,
  entryParams,
  groupKey,
  INSERT_CLAIM,
  INSERT_LOG,
  type LogDb,
  type PolicyDb,
  policyDetail,
  policyParams,
  toBreaker,
  toEntry,
  toPolicy,
  UPSERT_POLICY,
  UPSERT_SWITCH,
} from "./autopilot.ts";
import type { AutopilotStore } from "./interfaces.ts";
import { numbered, type Queryable } from "./pg.ts";

/**
 * Autopilot's tables (PostgreSQL): the same verbs as autopilotStore (autopilot.ts). A change and its log entry are
 * one transaction; a read-then-write (the policy replaced, the switch's previous state, the breaker reset) locks
 * the row it reads (FOR UPDATE fires no UPDATE trigger), so two operators' changes log the right `before`.
 */
export function pgAutopilotStore(
  db: Queryable,
  tx: <T>(fn: (c: pg.PoolClient) => Promise<T>) => Promise<T>,
): AutopilotStore {
  const log = (c: Queryable, e: AutopilotEntry) => c.query(numbered(INSERT_LOG), entryParams(e));

  return {
    async policies(fleet) {
      const r = await db.query<PolicyDb>(`SELECT * FROM autopilot_policies WHERE fleet = $1 ORDER BY group_name`, [
        fleet,
      ]);
      return r.rows.map(toPolicy);
    },
    async setPolicy(policy, actor) {
      return tx(async (c) => {
        const row = (
          await c.query<PolicyDb>(`SELECT * FROM autopilot_policies WHERE fleet = $1 AND group_name = $2 FOR UPDATE`, [
            policy.fleet,
            groupKey(policy.group),
          ])
        ).rows[0];
        const before = row ? toPolicy(row) : undefined;
        await c.query(numbered(UPSERT_POLICY), policyParams(policy));
        await log(
          c,
          changeEntry("policy-changed", policy.fleet, policy.group, actor, policyDetail(policy), before, policy),
        );
        return before;
      });
    },
    async killSwitch() {
      const r = (
        await db.query<{ engaged: number; set_by: string; at: string }>(
          `SELECT engaged, set_by, at FROM autopilot_switch WHERE id = 1`,
        )
      ).rows[0];
      return r ? { engaged: Number(r.engaged) === 1, by: r.set_by, at: r.at } : { engaged: false };
    },
    async setKillSwitch(engaged, actor, fleet) {
      await tx(async (c) => {
        // Serialises two operators' switches (the row may not exist yet, so FOR UPDATE alone would not).
        await c.query(`SELECT pg_advisory_xact_lock(hashtext('fleet-doctor:autopilot-switch'))`);
        const r = (await c.query<{ engaged: number }>(`SELECT engaged FROM autopilot_switch WHERE id = 1`)).rows[0];
        await c.query(numbered(UPSERT_SWITCH), [engaged ? 1 : 0, actor, new Date().toISOString()]);
        const detail = engaged ? "Kill switch engaged: no automatic restart anywhere." : "Kill switch released.";
        await log(
          c,
          changeEntry("kill-switch", fleet, null, actor, detail, r ? { engaged: Number(r.engaged) === 1 } : null, {
            engaged,
          }),
        );
      });
    },
    async breakers(fleet) {
      const r = await db.query<BreakerDb>(`SELECT * FROM autopilot_breakers WHERE fleet = $1 ORDER BY group_name`, [
        fleet,
      ]);
      return r.rows.map(toBreaker);
    },
    async tripBreaker(b, entry) {
      return tx(async (c) => {
        const r = await c.query(
          `INSERT INTO autopilot_breakers (fleet, group_name, tripped_at, failures) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
          [b.fleet, b.group, b.trippedAt, b.failures],
        );
        if (r.rowCount === 0) return false;
        await log(c, entry);
        return true;
      });
    },
    async resetBreaker(fleet, group, actor) {
      return tx(async (c) => {
        const row = (
          await c.query<BreakerDb>(`DELETE FROM autopilot_breakers WHERE fleet = $1 AND group_name = $2 RETURNING *`, [
            fleet,
            group,
          ])
        ).rows[0];
        if (!row) return false;
        await log(
          c,
          changeEntry(
            "breaker-reset",
            fleet,
            group,
            actor,
            `Breaker of ${group || "(no group)"} reset.`,
            toBreaker(row),
            null,
          ),
        );
        return true;
      });
    },
    async append(entries) {
      if (entries.length === 0) return;
      await tx(async (c) => {
        for (const e of entries) await log(c, e);
      });
    },
    async recent(fleet, limit = 50) {
      const r = await db.query<LogDb>(`SELECT * FROM autopilot_log WHERE fleet = $1 ORDER BY id DESC LIMIT $2`, [
        fleet,
        limit,
      ]);
      return r.rows.map(toEntry);
    },
    async groupLog(fleet, group, kinds, since) {
      if (kinds.length === 0) return [];
      const r = await db.query<LogDb>(
        `SELECT * FROM autopilot_log WHERE fleet = $1 AND group_name = $2 AND at >= $3 AND kind = ANY($4::text[]) ORDER BY id`,
        [fleet, group, since, kinds],
      );
      return r.rows.map(toEntry);
    },
    async claim(c) {
      const r = await db.query(numbered(INSERT_CLAIM), [
        c.instanceId,
        c.failureKey,
        c.what,
        c.fleet,
        new Date().toISOString(),
      ]);
      return r.rowCount === 1;
    },
    async claimed(instanceId, failureKey, what) {
      const r = await db.query(
        `SELECT 1 FROM autopilot_claims WHERE instance_id = $1 AND failure_key = $2 AND what = $3`,
        [instanceId, failureKey, what],
      );
      return r.rows.length > 0;
    },
  };
}
