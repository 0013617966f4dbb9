import type { Migration } from "./types.ts";

/**
 * Scans, their events and per-instance results. `latest` keeps the newest result per instance with the columns the
 * instance list filters on, so the list stays one indexed read at tens of thousands of instances.
 */
export const scans001: Migration = {
  id: "001-scans",
  up(db) {
    db.exec(`
      CREATE TABLE scans (
        id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        targets TEXT NOT NULL,
        target_key TEXT NOT NULL,
        actor TEXT,
        owner_pid INTEGER,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        total INTEGER,
        done INTEGER NOT NULL DEFAULT 0,
        counts TEXT NOT NULL DEFAULT '{}',
        error TEXT
      );
      CREATE INDEX scans_status ON scans(status, target_key);

      CREATE TABLE scan_events (
        scan_id TEXT NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        type TEXT NOT NULL,
        at TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (scan_id, seq)
      ) WITHOUT ROWID;

      CREATE TABLE results (
        id INTEGER PRIMARY KEY,
        scan_id TEXT NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
        instance_id TEXT NOT NULL,
        verdict TEXT NOT NULL,
        cause TEXT,
        summary TEXT NOT NULL,
        group_name TEXT,
        lifecycle_state TEXT,
        agent_version TEXT,
        ping_status TEXT NOT NULL,
        restart_will_work INTEGER NOT NULL,
        probed_at TEXT NOT NULL,
        target TEXT NOT NULL,
        outcome TEXT NOT NULL,
        diagnosis TEXT NOT NULL,
        raw_output TEXT NOT NULL,
        UNIQUE (scan_id, instance_id)
      );
      CREATE INDEX results_instance ON results(instance_id, probed_at DESC, id DESC);
      CREATE INDEX results_scan_verdict ON results(scan_id, verdict);

      CREATE TABLE latest (
        instance_id TEXT PRIMARY KEY,
        result_id INTEGER NOT NULL REFERENCES results(id) ON DELETE CASCADE,
        scan_id TEXT NOT NULL,
        verdict TEXT NOT NULL,
        cause TEXT,
        summary TEXT NOT NULL,
        group_name TEXT,
        lifecycle_state TEXT,
        agent_version TEXT,
        ping_status TEXT NOT NULL,
        restart_will_work INTEGER NOT NULL,
        probed_at TEXT NOT NULL
      );
      CREATE INDEX latest_verdict ON latest(verdict, instance_id);
      CREATE INDEX latest_group ON latest(group_name, instance_id);
      CREATE INDEX latest_version ON latest(agent_version, instance_id);
    `);
  },
  // PostgreSQL: the same tables. `n` keeps the order scans were created in (SQLite's rowid); keys and times are
  // compared byte-wise (COLLATE "C"), as SQLite compares text, whatever the database's default collation.
  pg: `
    CREATE TABLE scans (
      id TEXT COLLATE "C" PRIMARY KEY,
      n BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
      status TEXT NOT NULL,
      targets TEXT NOT NULL,
      target_key TEXT COLLATE "C" NOT NULL,
      actor TEXT,
      owner_pid INTEGER,
      started_at TEXT COLLATE "C" NOT NULL,
      finished_at TEXT COLLATE "C",
      total INTEGER,
      done INTEGER NOT NULL DEFAULT 0,
      counts TEXT NOT NULL DEFAULT '{}',
      error TEXT
    );
    CREATE INDEX scans_status ON scans(status, target_key);

    CREATE TABLE scan_events (
      scan_id TEXT COLLATE "C" NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
      seq INTEGER NOT NULL,
      type TEXT NOT NULL,
      at TEXT NOT NULL,
      data TEXT NOT NULL,
      PRIMARY KEY (scan_id, seq)
    );

    CREATE TABLE results (
      id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      scan_id TEXT COLLATE "C" NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
      instance_id TEXT COLLATE "C" NOT NULL,
      verdict TEXT COLLATE "C" NOT NULL,
      cause TEXT,
      summary TEXT NOT NULL,
      group_name TEXT COLLATE "C",
      lifecycle_state TEXT,
      agent_version TEXT COLLATE "C",
      ping_status TEXT NOT NULL,
      restart_will_work INTEGER NOT NULL,
      probed_at TEXT COLLATE "C" NOT NULL,
      target TEXT NOT NULL,
      outcome TEXT NOT NULL,
      diagnosis TEXT NOT NULL,
      raw_output TEXT NOT NULL,
      UNIQUE (scan_id, instance_id)
    );
    CREATE INDEX results_instance ON results(instance_id, probed_at DESC, id DESC);
    CREATE INDEX results_scan_verdict ON results(scan_id, verdict);

    CREATE TABLE latest (
      instance_id TEXT COLLATE "C" PRIMARY KEY,
      result_id BIGINT NOT NULL REFERENCES results(id) ON DELETE CASCADE,
      scan_id TEXT COLLATE "C" NOT NULL,
      verdict TEXT COLLATE "C" NOT NULL,
      cause TEXT,
      summary TEXT NOT NULL,
      group_name TEXT COLLATE "C",
      lifecycle_state TEXT,
      agent_version TEXT COLLATE "C",
      ping_status TEXT NOT NULL,
      restart_will_work INTEGER NOT NULL,
      probed_at TEXT COLLATE "C" NOT NULL
    );
    CREATE INDEX latest_verdict ON latest(verdict, instance_id);
    CREATE INDEX latest_group ON latest(group_name, instance_id);
    CREATE INDEX latest_version ON latest(agent_version, instance_id);
  `,
};
