import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type PostgresServer, postgresServer } from "../../test/helpers/postgres.ts";
import { openPgStore } from "../store/pg-store.ts";
import { openStore, type Store } from "../store/store.ts";
import { scanEventStream } from "./sse.ts";

/*
 * A scan whose events one replica stores streams live from another replica's store: on PostgreSQL at once (the
 * NOTIFY sent with each event wakes the other replica's stream), on SQLite within the streams' 1 s poll.
 */

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});
let server: PostgresServer | undefined;
beforeAll(async () => {
  server = await postgresServer();
});
afterAll(async () => {
  await server?.stop();
});

const engines = [
  {
    name: "SQLite",
    // Without NOTIFY, another process's event is seen at the next poll (POLL_MS = 1 s in sse.ts).
    maxLagMs: 1500,
    fresh: async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "fd-sse-"));
      cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
      return path.join(dir, "fleet.db");
    },
    open: async (where: string): Promise<Store> => openStore(where),
  },
  {
    name: "PostgreSQL",
    // Woken by the other replica's NOTIFY: well under the poll's second.
    maxLagMs: 400,
    fresh: async () => {
      const db = await freshDatabase(server!);
      cleanup.push(() => db.drop());
      return db.url;
    },
    open: async (where: string): Promise<Store> => {
      const s = openPgStore(where);
      await s.ready;
      return s;
    },
  },
];

describe.each(engines)("a scan stored by one replica streams on another ($name)", (e) => {
  it("streams each event the writer stores, in order, to scan-finished", async () => {
    const where = await e.fresh();
    const writer = await e.open(where);
    const reader = await e.open(where);
    cleanup.push(async () => {
      await writer.close();
      await reader.close();
    });
    const scan = await writer.createScan({ targets: { kind: "all" } });
    const appendedAt = new Map<number, number>();
    const at = () => new Date().toISOString();
    appendedAt.set(
      await writer.appendEvent(scan.id, { type: "scan-started", scanId: scan.id, targets: scan.targets, at: at() }),
      Date.now(),
    );

    const first = await reader.eventsSince(scan.id, 0, 500);
    const stream = scanEventStream({ store: reader, scanId: scan.id, after: 0, first });
    const arrivedAt = new Map<number, number>();
    const types: string[] = [];
    const reading = (async () => {
      const decoder = new TextDecoder();
      const chunks = stream.getReader();
      let text = "";
      for (;;) {
        const { value, done } = await chunks.read();
        if (done) return;
        text += decoder.decode(value, { stream: true });
        let end = text.indexOf("\n\n");
        while (end >= 0) {
          const frame = text.slice(0, end);
          text = text.slice(end + 2);
          const id = /^id: (\d+)$/m.exec(frame);
          const type = /^event: (.+)$/m.exec(frame);
          if (id && type) {
            arrivedAt.set(Number(id[1]), Date.now());
            types.push(type[1]!);
          }
          end = text.indexOf("\n\n");
        }
      }
    })();

    // Events stored by the writer at uneven moments, as a scan stores them: each must reach the reader's stream.
    for (const gap of [250, 300, 350, 200, 450]) {
      await sleep(gap);
      const seq = await writer.appendEvent(scan.id, {
        type: "batch-sent",
        commandId: `cmd-${appendedAt.size}`,
        instanceIds: ["i-0123456789abcdef0"],
        at: at(),
      });
      appendedAt.set(seq, Date.now());
    }
    await sleep(300);
    const end = await writer.finishScan(scan.id, "completed");
    appendedAt.set(end!.seq, Date.now());
    await reading;

    expect(types).toEqual(["scan-started", ...Array(5).fill("batch-sent"), "scan-finished"]);
    const lags = [...appendedAt].filter(([seq]) => seq > 1).map(([seq, t]) => arrivedAt.get(seq)! - t);
    expect(lags).toHaveLength(6);
    expect(Math.max(...lags)).toBeLessThan(e.maxLagMs);
  }, 20_000);
});

describe("PostgreSQL: LISTEN/NOTIFY between two stores", () => {
  it("wakes the other store's listeners of that scan, and only them, when an event is stored", async () => {
    const db = await freshDatabase(server!);
    cleanup.push(() => db.drop());
    const a = openPgStore(db.url);
    const b = openPgStore(db.url);
    cleanup.push(async () => {
      await a.close();
      await b.close();
    });
    await Promise.all([a.ready, b.ready]);
    const scan = await a.createScan({ targets: { kind: "all" } });
    let woken = 0;
    const stop = b.onScanEvent(scan.id, () => woken++);
    await sleep(300); // the listening client connects
    await a.appendEvent(scan.id, {
      type: "scan-started",
      scanId: scan.id,
      targets: scan.targets,
      at: new Date().toISOString(),
    });
    const t0 = Date.now();
    while (woken === 0 && Date.now() - t0 < 2000) await sleep(10);
    expect(woken).toBe(1);
    expect(Date.now() - t0).toBeLessThan(300);
    // Another scan's event wakes nobody here; after unsubscribing, nothing either.
    const other = await a.createScan({ targets: { kind: "group", name: "web" } });
    await a.appendEvent(other.id, {
      type: "scan-started",
      scanId: other.id,
      targets: other.targets,
      at: new Date().toISOString(),
    });
    stop();
    await a.finishScan(scan.id, "completed");
    await sleep(300);
    expect(woken).toBe(1);
  });
});
