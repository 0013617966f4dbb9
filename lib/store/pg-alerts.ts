import { type DeliveryDb, deliveryParams, distinctKeys, MAX_DELIVERIES, toDelivery } from "./alerts.ts";
import type { AlertKey, AlertStore } from "./interfaces.ts";

const keyText = (k: AlertKey) => JSON.stringify([k.fleet, k.instanceId, k.verdict]);

import type { Queryable } from "./pg.ts";

/**
 * The PostgreSQL implementation of AlertStore: one statement per verb. A claim inserts every key at once and
 * returns those the primary key let through, so two replicas claiming the same failure never both get it.
 */
export function pgAlertStore(db: Queryable): AlertStore {
  return {
    async claim(keys, at) {
      const wanted = distinctKeys(keys);
      if (wanted.length === 0) return [];
      // Inserted in one fixed order, so that two replicas claiming overlapping batches wait on each other's rows
      // in the same order and never deadlock.
      const sorted = [...wanted].sort((a, b) => (keyText(a) < keyText(b) ? -1 : 1));
      const r = await db.query<{ fleet: string; instance_id: string; verdict: string }>(
        `INSERT INTO alert_sent (fleet, instance_id, verdict, at)
         SELECT f, i, v, $4 FROM unnest($1::text[], $2::text[], $3::text[]) AS k(f, i, v)
         ON CONFLICT DO NOTHING RETURNING fleet, instance_id, verdict`,
        [sorted.map((k) => k.fleet), sorted.map((k) => k.instanceId), sorted.map((k) => k.verdict), at],
      );
      const got = new Set(
        r.rows.map((x) => keyText({ fleet: x.fleet, instanceId: x.instance_id, verdict: x.verdict })),
      );
      return wanted.filter((k) => got.has(keyText(k)));
    },
    async forget(fleet, instanceIds) {
      if (instanceIds.length === 0) return 0;
      const r = await db.query(`DELETE FROM alert_sent WHERE fleet = $1 AND instance_id = ANY($2::text[])`, [
        fleet,
        instanceIds,
      ]);
      return r.rowCount ?? 0;
    },
    async recordDelivery(d) {
      const p = deliveryParams(d);
      await db.query(
        `INSERT INTO alert_deliveries (id, webhook, kinds, count, status, attempts, http_status, error, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [p.id, p.webhook, p.kinds, p.count, p.status, p.attempts, p.http_status, p.error, p.at],
      );
    },
    async recentDeliveries(limit = 100) {
      const r = await db.query<DeliveryDb>(`SELECT * FROM alert_deliveries ORDER BY n DESC LIMIT $1`, [
        Math.min(Math.max(limit, 1), MAX_DELIVERIES),
      ]);
      return r.rows.map(toDelivery);
    },
  };
}
