/**
 * `fleet-doctor restart --fleet` against the simulator's `multi` scenario: with several fleets the id alone is
 * ambiguous (exit 2 naming --fleet); with the fleet, the restart goes to that fleet's account only.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import type { startSimulator } from "../../sim/main.ts";
import { startMultiSim, writeProdStagingFleets } from "../../test/helpers/multi-fleets.ts";
import type { SimCall } from "../../test/helpers/sim.ts";

const SHARED = "i-0a1b2c3d4e5f60718";
const PROD = "111111111111/us-east-1";
const dir = mkdtempSync(path.join(tmpdir(), "fd-cli-restart-fleets-"));
let sim: Awaited<ReturnType<typeof startSimulator>>;

async function restartsIn(account: string): Promise<SimCall[]> {
  const res = await fetch(`${sim.url}/_sim/calls?op=SendCommand&account=${account}`);
  return ((await res.json()) as { calls: SimCall[] }).calls.filter((c) =>
    ((c.params as { Parameters?: { commands?: string[] } }).Parameters?.commands?.[1] ?? "").startsWith(
      "# fleet-doctor-restart",
    ),
  );
}

beforeAll(async () => {
  sim = await startMultiSim();
  const fleets = writeProdStagingFleets(dir);
  Object.assign(process.env, {
    FLEET_DOCTOR_DB: path.join(dir, "cli.db"),
    FLEET_DOCTOR_RESTART_WAIT: "20",
    FLEET_DOCTOR_FLEETS: fleets,
  });
  // prod diagnosed through its role, into the CLI's store.
  const { config } = await import("../../lib/config.ts");
  const { listFleets } = await import("../../lib/fleets/list-fleets.ts");
  const { fleetActionContext } = await import("../../lib/actions/context.ts");
  const { openConfiguredStore } = await import("../../lib/store/index.ts");
  const { runScan } = await import("../../lib/scan/run-scan.ts");
  const c = config();
  const store = openConfiguredStore(c);
  try {
    const target = (await listFleets(c)).targets.find((t) => t.id === PROD)!;
    const ctx = fleetActionContext(target, "test", store, c);
    for await (const _ of runScan({ kind: "all" }, { ...ctx, fleet: ctx.clientsFleet! })) {
      // stored
    }
  } finally {
    await store.close();
  }
}, 120_000);

afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

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

it("needs --fleet when several fleets are configured, and a well-formed one (exit 2, nothing sent)", async () => {
  const missing = await cli(["restart", SHARED]);
  expect(missing.code).toBe(2);
  expect(missing.out).toContain("--fleet");
  const bad = await cli(["restart", SHARED, "--fleet", "prod"]);
  expect(bad.code).toBe(2);
  expect(bad.out).toContain("--fleet: not a fleet id");
  expect(await restartsIn("111111111111")).toEqual([]);
  expect(await restartsIn("222222222222")).toEqual([]);
});

it("restarts the instance of the named fleet, in that account only (exit 0)", async () => {
  const { code, out } = await cli(["restart", SHARED, "--fleet", PROD, "--json"]);
  expect(code).toBe(0);
  const body = JSON.parse(out.slice(out.indexOf("{"))) as {
    action: { fleet: string; outcomes: { outcome: string }[] };
  };
  expect(body.action.fleet).toBe(PROD);
  expect(body.action.outcomes[0]).toMatchObject({ outcome: "registered" });
  expect(await restartsIn("111111111111")).toHaveLength(1);
  expect(await restartsIn("222222222222")).toEqual([]);
}, 90_000);
