/**
 * `fleet-doctor fleets` and `fleet-doctor instances --fleet/--account/--region`, run as a person runs them (the real
 * binary, the simulator's STS naming the default fleet), over a SQLite store with two scans recorded under two fleets.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Verdict } from "../../lib/diagnosis/types.ts";
import type { InstanceResult } from "../../lib/scan/types.ts";
import { openStore } from "../../lib/store/store.ts";
import { type Simulator, startSimulator } from "../../sim/main.ts";

const run = promisify(execFile);
const bin = path.resolve(import.meta.dirname, "../fleet-doctor.mjs");
const dir = mkdtempSync(path.join(tmpdir(), "fd-cli-fleets-"));
const db = path.join(dir, "cli.db");
const ACCOUNT = "210987654321";
const HERE = `${ACCOUNT}/us-east-1`;
const OTHER = "111111111111/eu-west-1";
let sim: Simulator;

async function cli(...args: string[]) {
  const env = {
    ...process.env,
    AWS_ENDPOINT_URL: sim.url,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_REGION: "us-east-1",
    FLEET_DOCTOR_DB: db,
    FLEET_DOCTOR_FLEETS: "",
  };
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

function result(scanId: string, instanceId: string, verdict: Verdict): InstanceResult {
  return {
    scanId,
    instanceId,
    target: { instanceId, pingStatus: "Online" },
    outcome: { status: "Success", output: "{}", truncated: false, responseCode: 0 },
    diagnosis: { verdict, summary: verdict, evidence: [], remedies: [], restartWillWork: false },
    verdict,
    agentVersion: "1.90.0",
    probedAt: new Date().toISOString(),
  };
}

beforeAll(async () => {
  sim = await startSimulator({ port: 0, scenario: "small", exec: "model", account: ACCOUNT });
  const store = openStore(db);
  try {
    for (const [fleet, results] of [
      [
        HERE,
        [
          ["i-0a00000000000000a", "healthy"],
          ["i-0a00000000000000b", "healthy"],
        ],
      ],
      [OTHER, [["i-0b00000000000000c", "agent-failed"]]],
    ] as const) {
      const id = (await store.createScan({ targets: { kind: "all" }, fleet })).id;
      await store.recordScanFleet(id, fleet);
      for (const [instanceId, verdict] of results) await store.saveResult(result(id, instanceId, verdict), "raw");
      await store.finishScan(id, "completed");
    }
  } finally {
    await store.close();
  }
}, 60_000);

afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

type Listing = { fleet?: string; fleets: string[]; instances: { instanceId: string }[] };
const ids = (stdout: string) => (JSON.parse(stdout) as Listing).instances.map((i) => i.instanceId).sort();

describe("fleet-doctor fleets", () => {
  it("lists the configured fleet and the one only the store has, as JSON and as a table", async () => {
    const json = await cli("fleets", "--json");
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      source: "default",
      fleets: [
        { id: HERE, account: ACCOUNT, region: "us-east-1", source: "default", instances: 2 },
        { id: OTHER, account: "111111111111", region: "eu-west-1", source: "store", instances: 1 },
      ],
    });
    const table = await cli("fleets");
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^FLEET\s+ACCOUNT\s+NAME\s+REGION\s+SOURCE\s+INSTANCES\s+STATUS$/);
    expect(lines[1]).toMatch(new RegExp(`^${HERE}\\s+${ACCOUNT}\\s+-\\s+us-east-1\\s+default\\s+2\\s+ok$`));
    expect(lines[2]).toMatch(/^111111111111\/eu-west-1\s+111111111111\s+-\s+eu-west-1\s+store\s+1\s+not configured$/);
    expect(table.stdout).toContain("2 fleets.");
  });
});

describe("fleet-doctor instances --fleet --account --region", () => {
  it("lists the configured fleet by default, and the fleets asked for", async () => {
    const all = await cli("instances", "--json");
    expect(all.code).toBe(0);
    expect(JSON.parse(all.stdout)).toMatchObject({ fleet: HERE, fleets: [HERE] });
    expect(ids(all.stdout)).toEqual(["i-0a00000000000000a", "i-0a00000000000000b"]);
    const other = await cli("instances", "--fleet", OTHER, "--json");
    expect(ids(other.stdout)).toEqual(["i-0b00000000000000c"]);
    expect(ids((await cli("instances", "--fleet", OTHER, "--account", "111111111111", "--json")).stdout)).toEqual([
      "i-0b00000000000000c",
    ]);
    const none = await cli("instances", "--fleet", OTHER, "--region", "us-east-1", "--json");
    expect(JSON.parse(none.stdout)).toMatchObject({ fleets: [], total: 0, instances: [] });
    const text = await cli("instances", "--account", ACCOUNT, "--region", "us-east-1");
    expect(text.stdout).toContain(`fleet ${HERE}`);
    expect(text.stdout).toContain("2 instances");
  });

  it.each([
    [["--fleet", "nope"], "--fleet: 'nope'"],
    [["--fleet", `${HERE},123/us-east-1`], "--fleet: '123/us-east-1'"],
    [["--account", "12"], "--account: '12'"],
    [["--region", "Mars"], "--region: 'Mars'"],
  ])("exits 2 on %j naming the flag", async (args, message) => {
    const r = await cli("instances", ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });
});
