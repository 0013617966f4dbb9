import type { EventEmitter } from "node:events";
import pg from "pg";
import type { Queryable } from "./pg.ts";

/*
 * Waking other replicas when an event is stored (PostgreSQL only). Each store wakes its own listeners in-process
 * (an EventEmitter keyed `scan:<id>` / `action:<id>`); a NOTIFY sent in the transaction that appends an event is
 * delivered at its COMMIT to every replica LISTENing, whose listening client emits the same key on its own
 * emitter. So a scan run by replica A streams on replica B as fast as on A. Notifications are best effort (a
 * replica that is reconnecting misses some): the event streams keep their 1 s poll as the fallback.
 */

const CHANNEL = "fleet_doctor_events";

/** Sends the wake-up for `key` (`scan:<id>`, `action:<id>`) with the transaction `c`: delivered when it commits. */
export async function notifyStored(c: Queryable, owner: string, key: string): Promise<void> {
  await c.query(`SELECT pg_notify('${CHANNEL}', $1)`, [wakePayload(owner, key)]);
}

/** What a wake-up carries: who stored the event (its own listeners skip it) and the key it wakes. The channel is
 * also named in migration pg-perf-001's function, which sends this payload. */
export const wakePayload = (owner: string, key: string) => `${owner} ${key}`;

/**
 * A dedicated client (outside the pool: LISTEN belongs to a session) that turns other replicas' notifications
 * into wake-ups on `wake`. Connected on the first `listen()` (a CLI that never streams opens no extra connection),
 * reconnected a second after it fails, ended by `close()`. Its own owner's notifications are skipped: those
 * listeners were woken in-process already.
 */
export function pgEventListener(url: string, owner: string, wake: EventEmitter) {
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  function connect(): void {
    if (client || closed) return;
    const c = new pg.Client({ connectionString: url });
    client = c;
    const drop = (e?: Error) => {
      if (client !== c) return;
      client = undefined;
      if (e && !closed) console.error("[fleet-doctor] PostgreSQL listener failed (streams poll meanwhile):", e.message);
      c.end().catch(() => {});
      if (!closed) {
        retry = setTimeout(connect, 1000);
        retry.unref();
      }
    };
    c.on("error", drop);
    c.on("end", () => drop());
    c.on("notification", (n) => {
      if (n.channel !== CHANNEL || !n.payload) return;
      const [from, key] = n.payload.split(" ");
      if (from !== owner && key) wake.emit(key);
    });
    c.connect()
      .then(() => c.query(`LISTEN ${CHANNEL}`))
      .catch(drop);
  }

  return {
    /** Starts listening (once). */
    listen: connect,
    /** Whether the client is connected and listening now (for tests and diagnostics). */
    get connected() {
      return client !== undefined;
    },
    async close(): Promise<void> {
      closed = true;
      clearTimeout(retry);
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
    },
  };
}
