import type { Migration } from "./types.ts";

/**
 * An instance id is only unique inside one fleet (`<account>/<region>`): the same id in two accounts is two
 * instances. `results` and `latest` carry the fleet of the result's scan (the store fills it from the scan's row;
 * '' for scans from before fleets were recorded), `latest` holds one row per (fleet, instance_id) and `fleet_gone`
 * one per `latest` row, keyed alike (its `fleet` is the `latest` row's: '' for a legacy row a fleet's full scan
 * found gone). SQLite cannot change a table's key in place, so `latest` and `fleet_gone` are rebuilt there.
 * Indexes: the key leads with the fleet (a fleet's listing, ordered by instance id, is one indexed read), and
 * `latest_instance` finds an instance in every fleet. `fleet_doctor_append_scan_event` (pg-perf-001) is replaced
 * by one that writes the fleet, with the same signature (pg-store.ts's call is unchanged).
 */
export const fleetKeys001: Migration = {
  id: "fleet-keys-001",
  up(db) {
    db.exec(`
      ALTER TABLE results ADD COLUMN fleet TEXT NOT NULL DEFAULT '';
      UPDATE results SET fleet = coalesce((SELECT s.fleet FROM scans s WHERE s.id = results.scan_id), '');

      CREATE TABLE latest_new (
        fleet TEXT NOT NULL,
        instance_id TEXT NOT NULL,
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
        probed_at TEXT NOT NULL,
        registered INTEGER,
        PRIMARY KEY (fleet, instance_id)
      );
      INSERT INTO latest_new (fleet, instance_id, result_id, scan_id, verdict, cause, summary, group_name,
        lifecycle_state, agent_version, ping_status, restart_will_work, probed_at, registered)
      SELECT coalesce((SELECT s.fleet FROM scans s WHERE s.id = l.scan_id), ''), l.instance_id, l.result_id,
        l.scan_id, l.verdict, l.cause, l.summary, l.group_name, l.lifecycle_state, l.agent_version, l.ping_status,
        l.restart_will_work, l.probed_at, l.registered
      FROM latest l;
      DROP TABLE latest;
      ALTER TABLE latest_new RENAME TO latest;
      CREATE INDEX latest_instance ON latest(instance_id, fleet);
      CREATE INDEX latest_verdict ON latest(verdict, instance_id);
      CREATE INDEX latest_fleet_verdict ON latest(fleet, verdict, instance_id);
      CREATE INDEX latest_group ON latest(group_name, instance_id);
      CREATE INDEX latest_fleet_group ON latest(fleet, group_name, instance_id);
      CREATE INDEX latest_version ON latest(agent_version, instance_id);
      CREATE INDEX latest_registered ON latest(registered, instance_id);

      CREATE TABLE fleet_gone_new (
        fleet TEXT NOT NULL,
        instance_id TEXT NOT NULL,
        since TEXT NOT NULL,
        scan_id TEXT NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
        PRIMARY KEY (fleet, instance_id)
      );
      INSERT INTO fleet_gone_new (fleet, instance_id, since, scan_id)
      SELECT coalesce((SELECT l.fleet FROM latest l WHERE l.instance_id = g.instance_id), g.fleet), g.instance_id,
        g.since, g.scan_id
      FROM fleet_gone g;
      DROP TABLE fleet_gone;
      ALTER TABLE fleet_gone_new RENAME TO fleet_gone;
    `);
  },
  pg: `
    ALTER TABLE results ADD COLUMN fleet TEXT COLLATE "C" NOT NULL DEFAULT '';
    UPDATE results r SET fleet = s.fleet FROM scans s WHERE s.id = r.scan_id AND s.fleet IS NOT NULL;

    ALTER TABLE latest ADD COLUMN fleet TEXT COLLATE "C" NOT NULL DEFAULT '';
    UPDATE latest l SET fleet = s.fleet FROM scans s WHERE s.id = l.scan_id AND s.fleet IS NOT NULL;
    -- While latest is still one row per instance: a gone row's key is its latest row's.
    UPDATE fleet_gone g SET fleet = l.fleet FROM latest l WHERE l.instance_id = g.instance_id;
    ALTER TABLE latest DROP CONSTRAINT latest_pkey;
    ALTER TABLE latest ADD PRIMARY KEY (fleet, instance_id);
    CREATE INDEX latest_instance ON latest(instance_id, fleet);
    CREATE INDEX latest_fleet_verdict ON latest(fleet, verdict, instance_id);
    CREATE INDEX latest_fleet_group ON latest(fleet, group_name, instance_id);

    ALTER TABLE fleet_gone DROP CONSTRAINT fleet_gone_pkey;
    ALTER TABLE fleet_gone ADD PRIMARY KEY (fleet, instance_id);

    CREATE OR REPLACE FUNCTION fleet_doctor_append_scan_event(
      p_scan_id TEXT, p_type TEXT, p_at TEXT, p_data TEXT, p_wake TEXT, p_total INTEGER,
      r_scan_id TEXT, r_instance_id TEXT, r_verdict TEXT, r_cause TEXT, r_summary TEXT, r_group_name TEXT,
      r_lifecycle_state TEXT, r_agent_version TEXT, r_ping_status TEXT, r_restart_will_work INTEGER,
      r_probed_at TEXT, r_registered INTEGER, r_target TEXT, r_outcome TEXT, r_diagnosis TEXT, r_raw_output TEXT,
      r_ecs TEXT
    ) RETURNS INTEGER LANGUAGE plpgsql AS $fn$
    DECLARE
      v_result_id BIGINT;
      v_seq INTEGER;
      v_fleet TEXT;
    BEGIN
      PERFORM 1 FROM scans WHERE id = p_scan_id FOR UPDATE;
      IF r_instance_id IS NOT NULL THEN
        -- The result's fleet is its scan's (as the SQLite store's saveResult reads it).
        SELECT coalesce(s.fleet, '') INTO v_fleet FROM scans s WHERE s.id = r_scan_id;
        v_fleet := coalesce(v_fleet, '');
        INSERT INTO results (scan_id, instance_id, fleet, verdict, cause, summary, group_name, lifecycle_state,
          agent_version, ping_status, restart_will_work, probed_at, registered, target, outcome, diagnosis,
          raw_output, ecs)
        VALUES (r_scan_id, r_instance_id, v_fleet, r_verdict, r_cause, r_summary, r_group_name, r_lifecycle_state,
          r_agent_version, r_ping_status, r_restart_will_work, r_probed_at, r_registered, r_target, r_outcome,
          r_diagnosis, r_raw_output, r_ecs)
        RETURNING id INTO v_result_id;
        -- A row from before fleets were recorded is this fleet's instance: its fleet's result replaces it.
        IF v_fleet <> '' THEN
          DELETE FROM latest WHERE fleet = '' AND instance_id = r_instance_id;
        END IF;
        INSERT INTO latest (fleet, instance_id, result_id, scan_id, verdict, cause, summary, group_name,
          lifecycle_state, agent_version, ping_status, restart_will_work, probed_at, registered)
        VALUES (v_fleet, r_instance_id, v_result_id, r_scan_id, r_verdict, r_cause, r_summary, r_group_name,
          r_lifecycle_state, r_agent_version, r_ping_status, r_restart_will_work, r_probed_at, r_registered)
        ON CONFLICT (fleet, instance_id) DO UPDATE SET result_id = excluded.result_id, scan_id = excluded.scan_id,
          verdict = excluded.verdict, cause = excluded.cause, summary = excluded.summary,
          group_name = excluded.group_name, lifecycle_state = excluded.lifecycle_state,
          agent_version = excluded.agent_version, ping_status = excluded.ping_status,
          restart_will_work = excluded.restart_will_work, probed_at = excluded.probed_at,
          registered = excluded.registered
        WHERE excluded.probed_at >= latest.probed_at;
        UPDATE scans SET done = done + 1,
          counts = jsonb_set(counts::jsonb, ARRAY[r_verdict], to_jsonb(coalesce((counts::jsonb ->> r_verdict)::int, 0) + 1))::text
        WHERE id = r_scan_id;
      ELSIF p_total IS NOT NULL THEN
        UPDATE scans SET total = p_total WHERE id = p_scan_id;
      END IF;
      INSERT INTO scan_events (scan_id, seq, type, at, data)
        SELECT p_scan_id, coalesce(max(e.seq), 0) + 1, p_type, p_at, p_data FROM scan_events e
        WHERE e.scan_id = p_scan_id
        RETURNING seq INTO v_seq;
      PERFORM pg_notify('fleet_doctor_events', p_wake);
      RETURN v_seq;
    END
    $fn$;
  `,
};
