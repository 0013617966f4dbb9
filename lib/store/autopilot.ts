import type Database from "better-sqlite3";
import type { AutopilotEntry, AutopilotMode, Policy } from "../autopilot/types.ts";
import type { AutopilotBreaker, AutopilotStore } from "./interfaces.ts";

/** Rows of the autopilot tables (migrations/autopilot-001.ts), as either engine returns them. */
export type PolicyDb = {
  fleet: string;
  group_name: string;
  mode: string;
  dry_run: number;
  max_restarts_per_hour: number;
  breaker_failures: number;
  breaker_window_minutes: number;
  author: string;
  updated_at: string;
};
export type LogDb = {
  at: string;
  fleet: string;
  group_name: string | null;
  instance_id: string | null;
  kind: string;
  detail: string;
  action_id: string | null;
  actor: string;
  change_before: string | null;
  change_after: string | null;
};
export type BreakerDb = { fleet: string; group_name: string; tripped_at: string; failures: number | string };

/** The fleet's default policy is stored under the group '' (a primary key cannot hold NULL). */
export const groupKey = (group: string | null) => group ?? "";

export function toPolicy(r: PolicyDb): Policy {
  return {
    fleet: r.fleet,
    group: r.group_name === "" ? null : r.group_name,
    mode: r.mode as AutopilotMode,
    dryRun: Number(r.dry_run) === 1,
    maxRestartsPerHour: Number(r.max_restarts_per_hour),
    breakerFailures: Number(r.breaker_failures),
    breakerWindowMinutes: Number(r.breaker_window_minutes),
    author: r.author,
    updatedAt: r.updated_at,
  };
}

export function policyParams(p: Policy): unknown[] {
  return [
    p.fleet,
    groupKey(p.group),
    p.mode,
    p.dryRun ? 1 : 0,
    p.maxRestartsPerHour,
    p.breakerFailures,
    p.breakerWindowMinutes,
    p.author,
    p.updatedAt,
  ];
}

export function toEntry(r: LogDb): AutopilotEntry {
  return {
    at: r.at,
    fleet: r.fleet,
    ...(r.group_name !== null ? { group: r.group_name } : {}),
    ...(r.instance_id ? { instanceId: r.instance_id } : {}),
    kind: r.kind as AutopilotEntry["kind"],
    detail: r.detail,
    ...(r.action_id ? { actionId: r.action_id } : {}),
    actor: r.actor,
    ...(r.change_before !== null || r.change_after !== null
      ? { change: { before: parse(r.change_before), after: parse(r.change_after) } }
      : {}),
  };
}

const parse = (s: string | null): unknown => (s === null ? null : JSON.parse(s));

export function entryParams(e: AutopilotEntry): unknown[] {
  return [
    e.at,
    e.fleet,
    e.group ?? null,
    e.instanceId ?? null,
    e.kind,
    e.detail,
    e.actionId ?? null,
    e.actor,
    e.change ? JSON.stringify(e.change.before ?? null) : null,
    e.change ? JSON.stringify(e.change.after ?? null) : null,
  ];
}

export const toBreaker = (r: BreakerDb): AutopilotBreaker => ({
  fleet: r.fleet,
  group: r.group_name,
  trippedAt: r.tripped_at,
  failures: Number(r.failures),
});

export const INSERT_LOG = `INSERT INTO autopilot_log (at, fleet, group_name, instance_id, kind, detail, action_id, actor, change_before, change_after)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
export const UPSERT_POLICY = `INSERT INTO autopilot_policies (fleet, group_name, mode, dry_run, max_restarts_per_hour, breaker_failures, breaker_window_minutes, author, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (fleet, group_name) DO UPDATE SET mode = excluded.mode, dry_run = excluded.dry_run,
    max_restarts_per_hour = excluded.max_restarts_per_hour, breaker_failures = excluded.breaker_failures,
    breaker_window_minutes = excluded.breaker_window_minutes, author = excluded.author, updated_at = excluded.updated_at`;
export const UPSERT_SWITCH = `INSERT INTO autopilot_switch (id, engaged, set_by, at) VALUES (1, ?, ?, ?)
  ON CONFLICT (id) DO UPDATE SET engaged = excluded.engaged, set_by = excluded.set_by, at = excluded.at`;
export const INSERT_CLAIM = `INSERT INTO autopilot_claims (instance_id, failure_key, what, fleet, at) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT DO NOTHING`;

/** What a change entry says of the group: the default policy's entries carry no group. */
export function changeEntry(
  kind: AutopilotEntry["kind"],
  fleet: string,
  group: string | null,
  actor: string,
  detail: string,
  before: unknown,
  after: unknown,
): AutopilotEntry {
  return {
    at: new Date().toISOString(),
    fleet,
    ...(group !== null ? { group } : {}),
    kind,
    detail,
    actor,
    change: { before: before ?? null, after: after ?? null },
  };
}

export const policyDetail = (p: Policy) =>
  `${p.group === null ? "Default policy" : `Policy of ${p.group}`}: ${p.mode}${p.dryRun ? " (dry run)" : ""}, at most ${p.maxRestartsPerHour} restarts an hour, breaker ${p.breakerFailures} failures in ${p.breakerWindowMinutes} min.`;

/** Autopilot's tables (SQLite), over the store's connection; a change and its log entry are one transaction. */
export function autopilotStore(db: Database.Database): AutopilotStore {
  const q = {
    policies: db.prepare(`SELECT * FROM autopilot_policies WHERE fleet = ? ORDER BY group_name`),
    policy: db.prepare(`SELECT * FROM autopilot_policies WHERE fleet = ? AND group_name = ?`),
    upsertPolicy: db.prepare(UPSERT_POLICY),
    insertLog: db.prepare(INSERT_LOG),
    switch: db.prepare(`SELECT engaged, set_by, at FROM autopilot_switch WHERE id = 1`),
    upsertSwitch: db.prepare(UPSERT_SWITCH),
    breakers: db.prepare(`SELECT * FROM autopilot_breakers WHERE fleet = ? ORDER BY group_name`),
    breaker: db.prepare(`SELECT * FROM autopilot_breakers WHERE fleet = ? AND group_name = ?`),
    trip: db.prepare(
      `INSERT INTO autopilot_breakers (fleet, group_name, tripped_at, failures) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    ),
    reset: db.prepare(`DELETE FROM autopilot_breakers WHERE fleet = ? AND group_name = ?`),
    recent: db.prepare(`SELECT * FROM autopilot_log WHERE fleet = ? ORDER BY id DESC LIMIT ?`),
    claim: db.prepare(INSERT_CLAIM),
    claimed: db.prepare(`SELECT 1 FROM autopilot_claims WHERE instance_id = ? AND failure_key = ? AND what = ?`),
  };
  const log = (e: AutopilotEntry) => q.insertLog.run(...entryParams(e));
  const switchState = () => q.switch.get() as { engaged: number; set_by: string; at: string } | undefined;

  return {
    async policies(fleet) {
      return (q.policies.all(fleet) as PolicyDb[]).map(toPolicy);
    },
    async setPolicy(policy, actor) {
      return db.transaction(() => {
        const row = q.policy.get(policy.fleet, groupKey(policy.group)) as PolicyDb | undefined;
        const before = row ? toPolicy(row) : undefined;
        q.upsertPolicy.run(...policyParams(policy));
        log(changeEntry("policy-changed", policy.fleet, policy.group, actor, policyDetail(policy), before, policy));
        return before;
      })();
    },
    async killSwitch() {
      const r = switchState();
      return r ? { engaged: r.engaged === 1, by: r.set_by, at: r.at } : { engaged: false };
    },
    async setKillSwitch(engaged, actor, fleet) {
      db.transaction(() => {
        const r = switchState();
        const at = new Date().toISOString();
        q.upsertSwitch.run(engaged ? 1 : 0, actor, at);
        const detail = engaged ? "Kill switch engaged: no automatic restart anywhere." : "Kill switch released.";
        log(
          changeEntry("kill-switch", fleet, null, actor, detail, r ? { engaged: r.engaged === 1 } : null, { engaged }),
        );
      })();
    },
    async breakers(fleet) {
      return (q.breakers.all(fleet) as BreakerDb[]).map(toBreaker);
    },
    async tripBreaker(b, entry) {
      return db.transaction(() => {
        if (q.trip.run(b.fleet, b.group, b.trippedAt, b.failures).changes === 0) return false;
        log(entry);
        return true;
      })();
    },
    async resetBreaker(fleet, group, actor) {
      return db.transaction(() => {
        const row = q.breaker.get(fleet, group) as BreakerDb | undefined;
        if (!row) return false;
        q.reset.run(fleet, group);
        log(
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
      })();
    },
    async append(entries) {
      db.transaction(() => {
        for (const e of entries) log(e);
      })();
    },
    async recent(fleet, limit = 50) {
      return (q.recent.all(fleet, limit) as LogDb[]).map(toEntry);
    },
    async groupLog(fleet, group, kinds, since) {
      if (kinds.length === 0) return [];
      const rows = db
        .prepare(
          `SELECT * FROM autopilot_log WHERE fleet = ? AND group_name = ? AND at >= ? AND kind IN (${kinds.map(() => "?").join(",")}) ORDER BY id`,
        )
        .all(fleet, group, since, ...kinds) as LogDb[];
      return rows.map(toEntry);
    },
    async claim(c) {
      return q.claim.run(c.instanceId, c.failureKey, c.what, c.fleet, new Date().toISOString()).changes === 1;
    },
    async claimed(instanceId, failureKey, what) {
      return q.claimed.get(instanceId, failureKey, what) !== undefined;
    },
  };
}
