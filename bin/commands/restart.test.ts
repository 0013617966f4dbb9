import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { restartSends, simEnv, startSim } from "../../test/helpers/sim.ts";

const READY = "i-0a000000000000003";
const BLOCKED = "i-0a000000000000002";
const dir = mkdtempSync(path.join(tmpdir(), "fd-cli-restart-"));
let sim: Awaited<ReturnType<typeof startSim>>;

beforeAll(async () => {
  sim = await startSim("small");
  Object.assign(process.env, simEnv(sim.url), {
    FLEET_DOCTOR_DB: path.join(dir, "cli.db"),
    FLEET_DOCTOR_RESTART_WAIT: "20",
  });
  const { main } = await import("../cli.ts");
  vi.spyOn(console, "log").mockImplementation(() => {});
  expect(await main(["scan", "--ids", `${READY},${BLOCKED}`, "--json"])).toBe(1);
  vi.restoreAllMocks();
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

it("refuses a blocked instance with the reason (exit 1) and sends nothing", async () => {
  const { code, out } = await cli(["restart", BLOCKED]);
  expect(code).toBe(1);
  expect(out).toContain("refused: lifecycle-404:blocked");
  expect(await restartSends(sim.url, BLOCKED)).toHaveLength(0);
});

it("refuses --force without a reason (exit 2)", async () => {
  expect((await cli(["restart", BLOCKED, "--force"])).code).toBe(2);
  expect((await cli(["restart", "i-nope"])).code).toBe(2);
});

it("restarts a ready instance, verifies it and prints JSON (exit 0)", async () => {
  const { code, out } = await cli(["restart", READY, "--json"]);
  expect(code).toBe(0);
  const body = JSON.parse(out.slice(out.indexOf("{"))) as {
    action: { outcomes: { outcome: string; verdictAfter: string }[]; actor: string };
  };
  expect(body.action.outcomes[0]).toMatchObject({ outcome: "registered", verdictAfter: "healthy" });
  expect(body.action.actor).toMatch(/^cli:/);
  expect(await restartSends(sim.url, READY)).toHaveLength(1);
}, 90_000);
