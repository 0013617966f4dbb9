import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import type { Verdict } from "../../lib/diagnosis/types.ts";
import type { InstanceResult } from "../../lib/scan/types.ts";
import { openStore } from "../../lib/store/store.ts";

// `fleet-doctor instance <id>` reads the store only: one id in two fleets (issue 19) needs --fleet.
const A = "111111111111/us-east-1";
const B = "222222222222/eu-west-1";
const SAME = "i-0a1b2c3d4e5f60718";
const dir = mkdtempSync(path.join(tmpdir(), "fd-cli-instance-"));
const db = path.join(dir, "cli.db");

function result(scanId: string, verdict: Verdict, probedAt: string): InstanceResult {
  return {
    scanId,
    instanceId: SAME,
    target: { instanceId: SAME, pingStatus: "Online" },
    outcome: { status: "Success", output: "", truncated: false, responseCode: 0 },
    diagnosis: { verdict, summary: `it is ${verdict}`, evidence: [], remedies: [], restartWillWork: false },
    verdict,
    probedAt,
  };
}

beforeAll(async () => {
  process.env.FLEET_DOCTOR_DB = db;
  const store = openStore(db);
  const a = await store.createScan({ targets: { kind: "all" }, fleet: A });
  const b = await store.createScan({ targets: { kind: "all" }, fleet: B });
  await store.saveResult(result(a.id, "healthy", "2026-01-01T00:00:00.000Z"), "");
  await store.saveResult(result(b.id, "agent-failed", "2026-01-02T00:00:00.000Z"), "");
  await store.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  const { main } = await import("../cli.ts");
  const lines: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void lines.push(a.join(" ")));
  const err = vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void lines.push(a.join(" ")));
  try {
    return { code: await main(args), out: lines.join("\n") };
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
}

it("exits 2 naming the fleets when the id is in several and no --fleet is given", async () => {
  const { code, out } = await cli(["instance", SAME]);
  expect(code).toBe(2);
  expect(out).toContain(`in several fleets (${B}, ${A})`);
  expect(out).toContain("--fleet");
});

it("prints each fleet's own instance with --fleet", async () => {
  const a = await cli(["instance", SAME, "--fleet", A, "--json"]);
  expect(a.code).toBe(0);
  expect(JSON.parse(a.out)).toMatchObject({ fleet: A, instance: { verdict: "healthy", fleet: A }, gone: null });
  const b = await cli(["instance", SAME, "--fleet", B]);
  expect(b.code).toBe(1);
  expect(b.out).toContain(`fleet ${B}`);
  expect(b.out).toContain("agent-failed: it is agent-failed");
});

it("exits 2 on a malformed --fleet or id; a fleet without the instance is not found", async () => {
  expect((await cli(["instance", SAME, "--fleet", "prod"])).out).toContain("--fleet: 'prod' is not <account>/<region>");
  expect((await cli(["instance", SAME, "--fleet", "prod"])).code).toBe(2);
  expect((await cli(["instance", "i-XYZ"])).code).toBe(2);
  const none = await cli(["instance", SAME, "--fleet", "333333333333/us-east-1"]);
  expect(none.code).toBe(2);
  expect(none.out).toContain("No result for instance");
});
