/**
 * Test helper (never imported by the app): the two store engines as the store's contract tests see them. Call
 * `storeEngines()` once at a test file's top level: it starts (or is given) a PostgreSQL server for the file, and
 * closes, drops and removes after each test whatever `fresh` and `open` made. `fresh` makes an empty database (a
 * temporary SQLite file, or a database on the server) that several stores may open, each standing for a process or a
 * replica; `sql` runs one statement on it through a connection of its own, to look underneath the store.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, afterEach, beforeAll } from "vitest";
import type { Store } from "../../lib/store/interfaces.ts";
import { openPgStore } from "../../lib/store/pg-store.ts";
import { openStore, type StoreOptions } from "../../lib/store/store.ts";
import { freshDatabase, type PostgresServer, postgresServer } from "./postgres.ts";

export type StoreEngine = {
  name: "SQLite" | "PostgreSQL";
  fresh(): Promise<string>;
  open(where: string, opts?: StoreOptions): Promise<Store>;
  sql(where: string, statement: string): Promise<Record<string, unknown>[]>;
};

/** Both engines; `defaults` are the options every `open` gets unless it gives its own. */
export function storeEngines(defaults: StoreOptions = {}): [sqlite: StoreEngine, postgres: StoreEngine] {
  let server: PostgresServer | undefined;
  const cleanup: (() => Promise<void> | void)[] = [];
  beforeAll(async () => {
    server = await postgresServer();
  });
  afterAll(async () => {
    await server?.stop();
  });
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });
  const sqlite: StoreEngine = {
    name: "SQLite",
    fresh: async () => {
      const d = mkdtempSync(path.join(tmpdir(), "fd-store-"));
      cleanup.push(() => rmSync(d, { recursive: true, force: true }));
      return path.join(d, "fleet.db");
    },
    open: async (file, opts = defaults) => {
      const s = openStore(file, opts);
      cleanup.push(() => s.close());
      return s;
    },
    sql: async (file, statement) => {
      const raw = new Database(file);
      try {
        const st = raw.prepare(statement);
        if (st.reader) return st.all() as Record<string, unknown>[];
        st.run();
        return [];
      } finally {
        raw.close();
      }
    },
  };
  const postgres: StoreEngine = {
    name: "PostgreSQL",
    fresh: async () => {
      const db = await freshDatabase(server!);
      cleanup.push(() => db.drop());
      return db.url;
    },
    open: async (url, opts = defaults) => {
      const s = openPgStore(url, opts);
      cleanup.push(() => s.close());
      await s.ready;
      return s;
    },
    sql: async (url, statement) => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        return (await c.query(statement)).rows as Record<string, unknown>[];
      } finally {
        await c.end();
      }
    },
  };
  return [sqlite, postgres];
}
