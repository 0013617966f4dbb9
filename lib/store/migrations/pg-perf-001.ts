import type { Migration } from "./types.ts";

/**
 * A scan's event with the row it describes, in one round trip (PostgreSQL only; SQLite writes in-process and needs
 * nothing): the scan stores one event per instance, each awaited before the next, so BEGIN, the row lock, three
 * writes, the event, the NOTIFY and COMMIT as separate statements made the store the scan's pace on PostgreSQL.
 * `fleet_doctor_append_scan_event` does what pg-store.ts's appendEvent did statement by statement, in the same
 * order and with the same SQL: lock the scan's row, apply the write (a result: results, latest, the scan's counts;
 * a total: the scan's total), append the event numbered after the last, send the wake-up; it returns the event's
 * seq. PL/pgSQL takes a fresh snapshot per statement, so the seq is read after the lock is held, as before.
 * pg-store.ts's appendEvents calls it once per event in one statement: the events that arrived together are one
 * transaction, one round trip, one WAL flush, and one wake-up (PostgreSQL folds identical notifications of a
 * transaction into one).
 */
export const pgPerf001: Migration = {
  id: "pg-perf-001",
  up() {},
  pg: `
    CREATE FUNCTION fleet_doctor_append_scan_event(
      p_scan_id TEXT, p_type TEXT, p_at TEXT, p_data TEXT, p_wake TEXT, p_total INTEGER,
      r_scan_id TEXT, r_instance_id TEXT, r_verdict TEXT, r_cause TEXT, r_summary TEXT, r_group_name TEXT,
      r_lifecycle_state TEXT, r_agent_version TEXT, r_ping_status TEXT, r_restart_will_work INTEGER,
      r_probed_at TEXT, r_registered INTEGER, r_target TEXT, r_outcome TEXT, r_diagnosis TEXT, r_raw_output TEXT,
      r_ecs TEXT
    ) RETURNS INTEGER LANGUAGE plpgsql AS $fn$
    DECLARE
      v_result_id BIGINT;
      v_seq INTEGER;
    BEGIN
      PERFORM 1 FROM scans WHERE id = p_scan_id FOR UPDATE;
      IF r_instance_id IS NOT NULL THEN
        INSERT INTO results (scan_id, instance_id, verdict, cause, summary, group_name, lifecycle_state,
          agent_version, ping_status, restart_will_work, probed_at, registered, target, outcome, diagnosis,
          raw_output, ecs)
        VALUES (r_scan_id, r_instance_id, r_verdict, r_cause, r_summary, r_group_name, r_lifecycle_state,
          r_agent_version, r_ping_status, r_restart_will_work, r_probed_at, r_registered, r_target, r_outcome,
          r_diagnosis, r_raw_output, r_ecs)
        RETURNING id INTO v_result_id;
        INSERT INTO latest (instance_id, result_id, scan_id, verdict, cause, summary, group_name, lifecycle_state,
          agent_version, ping_status, restart_will_work, probed_at, registered)
        VALUES (r_instance_id, v_result_id, r_scan_id, r_verdict, r_cause, r_summary, r_group_name,
          r_lifecycle_state, r_agent_version, r_ping_status, r_restart_will_work, r_probed_at, r_registered)
        ON CONFLICT (instance_id) DO UPDATE SET result_id = excluded.result_id, scan_id = excluded.scan_id,
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
