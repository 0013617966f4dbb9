import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type PostgresServer, postgresServer } from "../../test/helpers/postgres.ts";
import { openPgStore } from "./pg-store.ts";
import { openStore, type Store } from "./store.ts";

/**
 * The scan takeover verbs on both engines, one database and several stores (replicas) with 1 s leases. A store
 * closed without finishing its scans stands for a dead owner: its leases stay and run out.
 */
let server: PostgresServer | undefined;
beforeAll(async () => {
  server = await postgresServer();
});
afterAll(async () => {
  await server?.stop();
});
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const LEASE = { leaseTtlSeconds: 1 };
const engines = [
  {
    name: "SQLite",
    fresh: async () => {
      const d = mkdtempSync(path.join(tmpdir(), "fd-scan-takeover-"));
      cleanup.push(() => rmSync(d, { recursive: true, force: true }));
      return path.join(d, "fleet.db");
    },
    open: async (where: string): Promise<Store> => {
      const s = openStore(where, LEASE);
      cleanup.push(() => s.close());
      return s;
    },
  },
  {
    name: "PostgreSQL",
    fresh: async () => {
      const db = await freshDatabase(server!);
      cleanup.push(() => db.drop());
      return db.url;
    },
    open: async (where: string): Promise<Store> => {
      const s = openPgStore(where, LEASE);
      cleanup.push(() => s.close());
      await s.ready;
      return s;
    },
  },
];

const ids = (id: string) => ({ kind: "ids" as const, ids: [id] });

describe.each(engines)("scan takeover verbs on $name", (engine) => {
  it("one taker for a marked scan whose owner died; an unmarked one is interrupted; a marked one nobody takes is interrupted a lease later", async () => {
    const where = await engine.fresh();
    const a = await engine.open(where);
    const b = await engine.open(where);
    const c = await engine.open(where);
    const marked = await a.createScan({ targets: ids("i-0000000000000001a") });
    await a.markScanTakeover(marked.id);
    const cli = await a.createScan({ targets: ids("i-0000000000000002a") });
    const lonely = await a.createScan({ targets: ids("i-0000000000000003a") });
    await a.markScanTakeover(lonely.id);

    // Its owner is alive: nothing to take.
    expect(await b.orphanedScans()).toEqual([]);
    expect(await b.takeOverScan(marked.id)).toBe(false);

    await a.close(); // the owner dies; its leases run out a second later
    await expect
      .poll(async () => (await b.orphanedScans()).toSorted(), { timeout: 5_000, interval: 100 })
      .toEqual([marked.id, lonely.id].toSorted());
    // The CLI's scan (not marked) ends at once; the marked ones wait for a taker.
    expect((await b.getScan(cli.id))?.status).toBe("interrupted");
    expect((await b.getScan(marked.id))?.status).toBe("running");
    expect(await b.orphanedScans()).not.toContain(cli.id);

    // Of two takers, one gets it.
    const taken = await Promise.all([b.takeOverScan(marked.id), c.takeOverScan(marked.id)]);
    expect(taken.filter(Boolean)).toHaveLength(1);
    expect(await b.orphanedScans()).toEqual([lonely.id]);

    // Nobody takes the other one: a lease after its own ran out, it ends interrupted; the taken one runs on.
    await expect
      .poll(async () => (await c.getScan(lonely.id))?.status, { timeout: 5_000, interval: 100 })
      .toBe("interrupted");
    expect((await c.getScan(marked.id))?.status).toBe("running");
    expect(await c.takeOverScan(lonely.id)).toBe(false);
  }, 30_000);
});
