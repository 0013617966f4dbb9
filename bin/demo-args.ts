/**
 * The demo's flags: none for the demo scenario (62 hosts, every verdict), a shipped scenario by name (`scale-out`:
 * failures keep arriving), or a generated fleet large enough to see the dashboard at scale. Parsed apart from
 * bin/demo.ts, which starts servers as soon as it is run.
 */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { isHostCount, numberFlag } from "./flags.ts";

export const DEMO_USAGE = `Usage: npm run demo [-- --scenario NAME | --hosts N [--seed S]]

Starts the fleet simulator and the dashboard against it, and prints the URL.
  (no flags)   the demo scenario: 62 hosts covering every verdict (FLEET_DOCTOR_SCENARIO names another)
  --scenario NAME
               a scenario of sim/scenarios by name (it wins over FLEET_DOCTOR_SCENARIO): demo, scale-out (groups
               that keep launching instances that die on the lifecycle 404: failures keep arriving), small, edge,
               multi (3 accounts x 2 regions of an organization, read through assumed roles as
               examples/fleets.multi.yaml says; one account's role cannot be assumed)
  --hosts N    a generated fleet of N hosts (1 to 100000), to see the dashboard keep up with a large fleet; its
               probes are rendered in-process, and its scans are kept in data/demo-N-hosts.db, apart from the demo's
  --seed S     another generated fleet of the same size (an integer; default 1)`;

export type DemoPlan =
  | { kind: "help" }
  | { kind: "scenario"; scenario: string; fleetsFile?: string }
  | { kind: "generated"; hosts: number; seed?: number; dbPath: string };

/** The scenarios shipped in sim/scenarios, by name. */
export function shippedScenarios(): string[] {
  return readdirSync(path.resolve(import.meta.dirname, "../sim/scenarios"))
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.replace(/\.json$/, ""))
    .sort();
}

/**
 * The fleets file shipped for a scenario of many accounts (examples/fleets.<scenario>.yaml: `multi`), which the
 * dashboard of the demo reads as FLEET_DOCTOR_FLEETS; undefined for a scenario of one fleet.
 */
export function scenarioFleetsFile(root: string, scenario: string): string | undefined {
  const file = path.join(root, "examples", `fleets.${scenario}.yaml`);
  return existsSync(file) ? file : undefined;
}

function scenarioPlan(root: string, scenario: string): DemoPlan {
  const fleetsFile = scenarioFleetsFile(root, scenario);
  return { kind: "scenario", scenario, ...(fleetsFile ? { fleetsFile } : {}) };
}

/**
 * Throws an Error naming the flag that is wrong. `env` is read for FLEET_DOCTOR_SCENARIO and FLEET_DOCTOR_DB;
 * `scenarios` are the names --scenario accepts (the shipped ones).
 */
export function parseDemoArgs(
  argv: string[],
  env: Record<string, string | undefined>,
  root: string,
  scenarios: string[] = shippedScenarios(),
): DemoPlan {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: "string" },
      hosts: { type: "string" },
      seed: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return { kind: "help" };
  if (values.scenario !== undefined) {
    if (values.hosts !== undefined || values.seed !== undefined)
      throw new Error("give --scenario or --hosts (with --seed), not both");
    if (!scenarios.includes(values.scenario))
      throw new Error(`--scenario: no scenario '${values.scenario}' (there are: ${scenarios.join(", ")})`);
    return scenarioPlan(root, values.scenario);
  }
  if (values.hosts === undefined) {
    if (values.seed !== undefined) throw new Error("--seed goes with --hosts");
    return scenarioPlan(root, env.FLEET_DOCTOR_SCENARIO || "demo");
  }
  if (env.FLEET_DOCTOR_SCENARIO) throw new Error("give FLEET_DOCTOR_SCENARIO or --hosts, not both");
  const hosts = numberFlag("hosts", values.hosts, isHostCount)!;
  const seed = numberFlag("seed", values.seed, Number.isInteger);
  const name = `demo-${hosts}-hosts${seed === undefined ? "" : `-seed-${seed}`}.db`;
  return { kind: "generated", hosts, seed, dbPath: env.FLEET_DOCTOR_DB || path.join(root, "data", name) };
}
