/**
 * Output that SSM cut: the simulator's real fleet (small scenario, model mode) with two hosts made noisy by wrapping
 * the fleet's `run`: one writes 4 KB of stderr after its report (plugin Output cut, GetCommandInvocation has it
 * whole), one writes 30 KB of stdout before it (even GetCommandInvocation's 24,000 bytes are cut: the report is lost).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scanToEnd, simScanContext } from "../../test/helpers/scan-context.ts";
import { simCalls, simEnv, startSimOverriding } from "../../test/helpers/sim.ts";
import { openStore, type Store } from "../store/store.ts";

const NOISY_STDERR = "i-0a000000000000001"; // healthy in the small scenario
const HUGE_STDOUT = "i-0a000000000000003"; // lifecycle-404:ready

let sim: { url: string; close(): Promise<void> };
let store: Store;

beforeAll(async () => {
  sim = await startSimOverriding({ port: 0, scenario: "small", exec: "model" }, (f) => ({
    async run(id, commands, options) {
      const r = await f.run(id, commands, options);
      if (id === NOISY_STDERR)
        return { ...r, stderr: `${r.stderr}${"grep: warning: stray \\ before -\n".repeat(120)}` };
      if (id === HUGE_STDOUT) return { ...r, stdout: `${"noise ".repeat(5000)}\n${r.stdout}` };
      return r;
    },
  }));
  store = openStore(":memory:");
}, 60_000);

afterAll(async () => {
  store?.close();
  await sim?.close();
});

describe("truncated output", () => {
  it("reads the full output with GetCommandInvocation only where Output was cut", async () => {
    Object.assign(process.env, simEnv(sim.url));
    const { events, results } = await scanToEnd(
      { kind: "ids", ids: [NOISY_STDERR, HUGE_STDOUT, "i-0a000000000000002"] },
      simScanContext(store),
    );
    // Cut in Output, whole in GetCommandInvocation: diagnosed as if nothing happened, the raw output kept whole.
    const a = results.get(NOISY_STDERR)!;
    expect(a.outcome.output).toContain("---Error truncated----");
    expect(a.outcome.truncated).toBe(false);
    expect(a.verdict).toBe("healthy");
    expect((await store.scanResult(a.scanId, NOISY_STDERR))!.rawOutput.length).toBeGreaterThan(4000);

    // Cut even there: the report is lost, which is a finding (probe-failed), and a warning says so.
    const b = results.get(HUGE_STDOUT)!;
    expect(b.outcome.truncated).toBe(true);
    expect(b.verdict).toBe("probe-failed");
    expect(events.some((e) => e.type === "warning" && e.kind === "truncated" && e.instanceId === HUGE_STDOUT)).toBe(
      true,
    );
    // The untouched host is diagnosed from the list output alone.
    expect(results.get("i-0a000000000000002")!.verdict).toBe("lifecycle-404:blocked");

    const gets = await simCalls(sim.url, "GetCommandInvocation");
    expect(new Set(gets.map((g) => g.params.InstanceId))).toEqual(new Set([NOISY_STDERR, HUGE_STDOUT]));
  });
});
