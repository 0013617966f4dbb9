import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator } from "../../sim/main.ts";
import { freshDatabase, type PostgresServer, postgresServer } from "../../test/helpers/postgres.ts";

const run = promisify(execFile);
const bin = path.resolve(import.meta.dirname, "../fleet-doctor.mjs");
const dir = mkdtempSync(path.join(tmpdir(), "fd-cli-"));
let sim: { url: string; close(): Promise<void> };

async function cli(...args: string[]) {
  return cliWith({}, ...args);
}

async function cliWith(extra: Record<string, string>, ...args: string[]) {
  const env = {
    ...process.env,
    AWS_ENDPOINT_URL: sim.url,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_REGION: "us-east-1",
    FLEET_DOCTOR_DB: path.join(dir, "cli.db"),
    ...extra,
  };
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

beforeAll(async () => {
  sim = await startSimulator({ port: 0, scenario: "small", exec: "model" });
}, 60_000);

afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("fleet-doctor scan", () => {
  it("--json lists every instance and exits 1 when something needs attention", async () => {
    const r = await cli("scan", "--json");
    expect(r.stderr).not.toMatch(/\[#/); // no progress bar when stderr is not a terminal
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as {
      scanId: string;
      status: string;
      counts: Record<string, number>;
      instances: { instanceId: string; verdict: string; summary: string; restartWillWork: boolean }[];
    };
    expect(out.status).toBe("completed");
    expect(out.instances).toHaveLength(9);
    expect(out.counts).toMatchObject({ healthy: 1, "lifecycle-404:ready": 1, "ssm-unreachable": 1 });
    const ready = out.instances.find((i) => i.instanceId === "i-0a000000000000003")!;
    expect(ready).toMatchObject({
      verdict: "lifecycle-404:ready",
      restartWillWork: true,
      group: "web",
      registered: false,
    });
    expect(ready.summary.length).toBeGreaterThan(10);
    expect(out.instances.find((i) => i.instanceId === "i-0a000000000000001")).toMatchObject({ registered: true });
    expect(out).not.toHaveProperty("ecsNote");
  });

  it("--json says why it has no ECS view when IAM denies ECS, and still scans", async () => {
    await fetch(`${sim.url}/_sim/faults`, { method: "POST", body: JSON.stringify({ deny: ["ListClusters"] }) });
    try {
      const r = await cli("scan", "--ids", "i-0a000000000000001", "--json");
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as { ecsNote?: string; instances: Record<string, unknown>[] };
      expect(out.ecsNote).toContain("AccessDeniedException");
      expect(out.instances).toHaveLength(1);
      expect(out.instances[0]).not.toHaveProperty("registered");
    } finally {
      await fetch(`${sim.url}/_sim/faults`, { method: "POST", body: "{}" });
    }
  });

  it("prints a triage table grouped by verdict and exits 0 when all is healthy", async () => {
    const r = await cli("scan", "--ids", "i-0a000000000000001");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^healthy \(1\)$/m);
    expect(r.stdout).toContain("i-0a000000000000001");
    expect(r.stdout).toContain("1 instance, 0 need attention.");
  });

  it("scans a group", async () => {
    const r = await cli("scan", "--group", "web", "--json");
    expect(r.code).toBe(1);
    const ids = (JSON.parse(r.stdout).instances as { instanceId: string }[]).map((i) => i.instanceId).sort();
    expect(ids).toEqual(["i-0a000000000000001", "i-0a000000000000003"]);
  });

  it.each([
    [["--ids", "i-XYZ"], /--ids \(0\): must be an instance id/],
    [["--ids", "i-0a000000000000001;reboot"], /--ids/],
    [["--tag", "novalue"], /--tag must be KEY=VALUE/],
    [["--tag", "Env=prod", "--group", "web"], /at most one of/],
    [["--frobnicate"], /Unknown option/],
  ])("exits 2 on bad input %j", async (args, message) => {
    const r = await cli("scan", ...(args as string[]));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe("fleet-doctor scan, AWS unreachable or misconfigured", () => {
  it("exits 3 when the endpoint does not answer", async () => {
    // Port 9 (discard) on loopback: nothing listens, the connection is refused.
    const r = await cliWith({ AWS_ENDPOINT_URL: "http://127.0.0.1:9", FLEET_DOCTOR_MAX_ATTEMPTS: "1" }, "scan");
    expect(r.stderr).toMatch(/ECONNREFUSED/);
    expect(r.code).toBe(3);
  });

  it.each([
    ["AWS_ENDPOINT_URL", "notaurl"],
    ["AWS_ENDPOINT_URL_SSM", "127.0.0.1:4566"],
  ])("exits 2 at start naming %s when it is %j", async (name, value) => {
    const r = await cliWith({ [name]: value }, "scan");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`Invalid environment variable ${name}`);
    expect(r.stderr).not.toMatch(/TypeError/);
  });
});

describe("fleet-doctor instances", () => {
  it("reads the latest diagnoses from the store, filtered by verdict", async () => {
    const r = await cli("instances", "--verdict", "lifecycle-404:ready,healthy", "--json");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { instances: { instanceId: string; verdict: string }[] };
    expect(out.instances.map((i) => i.verdict).sort()).toEqual(["healthy", "lifecycle-404:ready"]);
    const table = await cli("instances");
    expect(table.stdout).toContain("9 instances, 8 need attention.");
  });

  it("exits 2 on an unknown verdict", async () => {
    const r = await cli("instances", "--verdict", "sick");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown verdict 'sick'");
  });
});

describe("fleet-doctor scan on PostgreSQL", () => {
  let server: PostgresServer | undefined;
  beforeAll(async () => {
    server = await postgresServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("keeps its state on the server FLEET_DOCTOR_DATABASE_URL names, not in the SQLite file", async () => {
    const db = await freshDatabase(server!);
    const file = path.join(dir, "unused.db");
    try {
      const r = await cliWith({ FLEET_DOCTOR_DATABASE_URL: db.url, FLEET_DOCTOR_DB: file }, "scan", "--json");
      expect(r.code).toBe(1);
      const out = JSON.parse(r.stdout) as { scanId: string; status: string };
      expect(out.status).toBe("completed");
      expect(existsSync(file)).toBe(false);
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      try {
        const scans = await c.query("SELECT id, status, done FROM scans");
        expect(scans.rows).toEqual([{ id: out.scanId, status: "completed", done: 9 }]);
        expect((await c.query("SELECT count(*)::int AS n FROM leases")).rows).toEqual([{ n: 0 }]);
      } finally {
        await c.end();
      }
    } finally {
      await db.drop();
    }
  });

  it("names FLEET_DOCTOR_DATABASE_URL and exits non-zero when it is not a PostgreSQL URL", async () => {
    const r = await cliWith({ FLEET_DOCTOR_DATABASE_URL: "mysql://db.internal/fleet" }, "scan");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("FLEET_DOCTOR_DATABASE_URL");
    expect(r.stderr).toContain("expected a PostgreSQL URL");
  });
});
