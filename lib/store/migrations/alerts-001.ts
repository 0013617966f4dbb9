import type { Migration } from "./types.ts";

/**
 * Alerts. `alert_sent` is the dedupe: one row per (fleet, instance, verdict) already alerted as a new failure; its
 * primary key makes the claim atomic, so two replicas never both alert one failure, and the row is deleted when
 * the instance is seen healthy (its next failure alerts again). `alert_deliveries` is the delivery log: one row per
 * attempt to deliver one message to one webhook, named by the webhook's `name` (never its URL or secret).
 * `results_probed` lets the overview's timeline read the last day of results without scanning them all.
 */
export const alerts001: Migration = {
  id: "alerts-001",
  up(db) {
    db.exec(`
      CREATE TABLE alert_sent (
        fleet TEXT NOT NULL,
        instance_id TEXT NOT NULL,
        verdict TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (fleet, instance_id, verdict)
      ) WITHOUT ROWID;

      CREATE TABLE alert_deliveries (
        n INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        webhook TEXT NOT NULL,
        kinds TEXT NOT NULL,
        count INTEGER NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        http_status INTEGER,
        error TEXT,
        at TEXT NOT NULL
      );

      CREATE INDEX results_probed ON results(probed_at);
    `);
  },
  pg: `
    CREATE TABLE alert_sent (
      fleet TEXT COLLATE "C" NOT NULL,
      instance_id TEXT COLLATE "C" NOT NULL,
      verdict TEXT COLLATE "C" NOT NULL,
      at TEXT COLLATE "C" NOT NULL,
      PRIMARY KEY (fleet, instance_id, verdict)
    );

    CREATE TABLE alert_deliveries (
      n BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      id TEXT COLLATE "C" NOT NULL UNIQUE,
      webhook TEXT NOT NULL,
      kinds TEXT NOT NULL,
      count INTEGER NOT NULL,
      status TEXT NOT NULL,
      attempts INTEGER NOT NULL,
      http_status INTEGER,
      error TEXT,
      at TEXT COLLATE "C" NOT NULL
    );

    CREATE INDEX results_probed ON results(probed_at);
  `,
};
