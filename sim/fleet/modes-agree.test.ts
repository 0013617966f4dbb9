/**
 * Model mode must print what bash running lib/probe/probe.sh prints, for every host of every scenario. Both run
 * on the same fleet (so the same instants): the probe as shipped goes through the model; the same script with its
 * marker line changed is not recognised and runs in bash. The reports must be equal once parsed, except for the
 * probe's own clock fields (`at`, `ms`). A host may change between the two runs (an ecs-init retry every 15 s), so
 * the model is rendered just before and just after bash, and bash must equal one of them.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import pLimit from "p-limit";
import { afterAll, describe, expect, it } from "vitest";
import type { ExecResult } from "../fleet-types.ts";
import { generateScenario } from "./generate-scenario.ts";
import { loadScenario, parseScenario, SCENARIO_DIR } from "./load-scenario.ts";
import type { Scenario } from "./scenario-schema.ts";
import { JOIN_FAILURES, startFleet, type TestFleet } from "./test-helpers.ts";

const PROBE = path.resolve(import.meta.dirname, "../../lib/probe/probe.sh");

function probeLines(): string[] {
  const lines = readFileSync(PROBE, "utf8").split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function canon(x: Json): Json {
  if (Array.isArray(x)) return x.map(canon);
  if (x && typeof x === "object")
    return Object.fromEntries(
      Object.keys(x)
        .sort()
        .map((k) => [k, canon(x[k]!)]),
    );
  return x;
}

/** A report without its clock fields; or, when the probe gave no report (a host whose scripts fail), the whole result. */
function comparable(r: ExecResult): string {
  if (r.exitCode !== 0 || r.timedOut) {
    // The SSM command id in a noexec host's Permission denied line is new on every run.
    const stderr = r.stderr.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<command-id>");
    return JSON.stringify({ ...r, stderr });
  }
  const report = JSON.parse(r.stdout) as Record<string, Json>;
  delete report.at;
  delete report.ms;
  return JSON.stringify(canon(report));
}

const scenarios: [string, () => Promise<Scenario>][] = [
  ...readdirSync(SCENARIO_DIR)
    .filter((f) => f.endsWith(".json"))
    .map((f): [string, () => Promise<Scenario>] => [f, () => loadScenario(f.replace(/\.json$/, ""))]),
  ["generated(24, seed 5)", async () => generateScenario({ hosts: 24, seed: 5 })],
  ["join failures (issue 16)", async () => parseScenario(JOIN_FAILURES, "join-failures")],
];

const open: TestFleet[] = [];
afterAll(async () => {
  for (const t of open) await t.close();
});

describe.each(scenarios)("both modes print the same probe report: %s", (_name, load) => {
  it("on every host", { timeout: 180_000 }, async () => {
    const probe = probeLines();
    expect(probe[1]).toBe("# fleet-doctor-probe schema=1");
    const asBash = [...probe];
    asBash[1] = "# fleet-doctor-probe schema=1 (run in bash)";
    const scenario = await load();
    const scripts = new Map(scenario.hosts.map((h) => [h.id, h.scripts]));
    const t = await startFleet(scenario, { exec: "model", maxProcesses: 8 });
    open.push(t);
    const limit = pLimit(8);
    const mismatches: string[] = [];
    await Promise.all(
      t.fleet
        .hosts()
        .filter((h) => !h.stopped)
        .map((h) =>
          limit(async () => {
            const mode = scripts.get(h.instanceId) ?? "run";
            // A hung host's probe only ends at executionTimeout: keep that short here.
            const opts = { executionTimeoutSeconds: mode === "hang" ? 2 : 30 };
            for (let attempt = 1; attempt <= 3; attempt++) {
              const before = await t.fleet.run(h.instanceId, probe, opts);
              const bash = await t.fleet.run(h.instanceId, asBash, opts);
              const after = await t.fleet.run(h.instanceId, probe, opts);
              if (mode === "run") expect(bash.exitCode, `${h.instanceId}: ${bash.stderr}`).toBe(0);
              else expect(bash.exitCode, `${h.instanceId}: ${bash.stderr}`).toBe(mode === "hang" ? -1 : 126);
              const b = comparable(bash);
              if (b === comparable(before) || b === comparable(after)) return;
              if (attempt === 3) mismatches.push(`${h.instanceId}\n  model ${comparable(after)}  bash  ${b}`);
            }
          }),
        ),
    );
    expect(mismatches).toEqual([]);
  });
});
