import type Database from "better-sqlite3";
import type { AlertDelivery } from "../alerts/types.ts";
import type { AlertKind } from "../alerts/webhook-config.ts";
import type { AlertKey, AlertStore } from "./interfaces.ts";

/** A delivery log row as both engines store it (migrations/alerts-001.ts). */
export type DeliveryDb = {
  id: string;
  webhook: string;
  kinds: string;
  count: number;
  status: AlertDelivery["status"];
  attempts: number;
  http_status: number | null;
  error: string | null;
  at: string;
};

export function toDelivery(r: DeliveryDb): AlertDelivery {
  return {
    id: r.id,
    webhook: r.webhook,
    kinds: JSON.parse(r.kinds) as AlertKind[],
    count: Number(r.count),
    status: r.status,
    attempts: Number(r.attempts),
    ...(r.http_status !== null ? { httpStatus: Number(r.http_status) } : {}),
    ...(r.error !== null ? { error: r.error } : {}),
    at: r.at,
  };
}

export const MAX_DELIVERIES = 500;

/** Each key once, in the order given (a batch may name one failure twice). */
export function distinctKeys(keys: AlertKey[]): AlertKey[] {
  const seen = new Map<string, AlertKey>();
  for (const k of keys) seen.set(JSON.stringify([k.fleet, k.instanceId, k.verdict]), k);
  return [...seen.values()];
}

/** The SQLite implementation of AlertStore: a claim is an INSERT that the primary key lets through once. */
export function alertStore(db: Database.Database): AlertStore {
  const q = {
    claim: db.prepare(
      `INSERT INTO alert_sent (fleet, instance_id, verdict, at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    ),
    forget: db.prepare(`DELETE FROM alert_sent WHERE fleet = ? AND instance_id = ?`),
    record: db.prepare(
      `INSERT INTO alert_deliveries (id, webhook, kinds, count, status, attempts, http_status, error, at)
       VALUES (@id, @webhook, @kinds, @count, @status, @attempts, @http_status, @error, @at)`,
    ),
    recent: db.prepare(`SELECT * FROM alert_deliveries ORDER BY n DESC LIMIT ?`),
  };
  const claimTx = db.transaction((keys: AlertKey[], at: string) =>
    keys.filter((k) => q.claim.run(k.fleet, k.instanceId, k.verdict, at).changes === 1),
  );
  const forgetTx = db.transaction((fleet: string, ids: string[]) =>
    ids.reduce((n, id) => n + q.forget.run(fleet, id).changes, 0),
  );
  return {
    async claim(keys, at) {
      return claimTx.immediate(distinctKeys(keys), at);
    },
    async forget(fleet, instanceIds) {
      return forgetTx.immediate(fleet, instanceIds);
    },
    async recordDelivery(d) {
      q.record.run(deliveryParams(d));
    },
    async recentDeliveries(limit = 100) {
      return (q.recent.all(Math.min(Math.max(limit, 1), MAX_DELIVERIES)) as DeliveryDb[]).map(toDelivery);
    },
  };
}

export function deliveryParams(d: AlertDelivery): DeliveryDb {
  return {
    id: d.id,
    webhook: d.webhook,
    kinds: JSON.stringify(d.kinds),
    count: d.count,
    status: d.status,
    attempts: d.attempts,
    http_status: d.httpStatus ?? null,
    error: d.error ?? null,
    at: d.at,
  };
}
