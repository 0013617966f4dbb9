/**
 * `fleet-doctor scan --fleet/--account/--region`: a sweep over the chosen listed fleets, run as a user would (the
 * installed entry point, against the simulator): a line per fleet and a summary; an unlisted or malformed choice is
 * a message and exit 2.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator } from "../../sim/main.ts";

const run = promisify(execFile);
const bin = path.resolve(import.meta.dirname, "../fleet-doctor.mjs");
const dir = mkdtempSync(path.join(tmpdir(), "fd-cli-sweep-"));
const FLEET = "111111111111/us-east-1";
let sim: { url: string; close(): Promise<void> };

async function cli(...args: string[]) {
  const env = {
    ...process.env,
    AWS_ENDPOINT_URL: sim.url,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_REGION: "us-east-1",
    FLEET_DOCTOR_DB: path.join(dir, "cli.db"),
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
  sim = await startSimulator({ port: 0, scenario: "small", exec: "model", account: "111111111111" });
}, 60_000);

afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("fleet-doctor scan over fleets", () => {
  it("--fleet prints a line per fleet and the sweep's summary", async () => {
    const r = await cli("scan", "--fleet", FLEET);
    expect(r.code).toBe(1); // the small fleet has instances that need attention
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^111111111111\/us-east-1 +completed +9 instances, 8 need attention +scan [0-9a-f-]{36}$/);
    expect(lines[1]).toMatch(/^sweep [0-9a-f-]{36}: completed: 1 of 1 fleets read; 9 instances, 8 need attention$/);
  }, 60_000);

  it("--json prints the sweep with each fleet's scan", async () => {
    const r = await cli("scan", "--account", "111111111111", "--region", "us-east-1", "--json");
    const sweep = JSON.parse(r.stdout) as { status: string; fleets: { fleet: string; scan?: { done: number } }[] };
    expect(sweep.status).toBe("completed");
    expect(sweep.fleets).toMatchObject([{ fleet: FLEET, scan: { done: 9 } }]);
  }, 60_000);

  it.each([
    [["--fleet", "222222222222/us-east-1"], /--fleet 222222222222\/us-east-1: not a fleet Fleet Doctor reads/],
    [["--fleet", "not a fleet"], /--fleet not a fleet: must be a fleet id/],
    [["--account", "1234"], /--account: must be 12 digits/],
    [["--account", "999999999999"], /No listed fleet in account 999999999999/],
    [["--region", "eu-west-1"], /No listed fleet in region eu-west-1/],
    [["--region", "Mars"], /--region: must be a region/],
  ])(
    "%s is a message and exit 2",
    async (args, message) => {
      const r = await cli("scan", ...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe("");
    },
    60_000,
  );
});
