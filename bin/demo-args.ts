/**
 * The demo's flags: none for the demo scenario (62 hosts, every verdict), or a generated fleet large enough to see
 * the dashboard at scale. Parsed apart from bin/demo.ts, which starts servers as soon as it is run.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { isHostCount, numberFlag } from "./flags.ts";

export const DEMO_USAGE = `Usage: npm run demo [-- --hosts N [--seed S]]

Starts the fleet simulator and the dashboard against it, and prints the URL.
  (no flags)   the demo scenario: 62 hosts covering every verdict (FLEET_DOCTOR_SCENARIO names another)
  --hosts N    a generated fleet of N hosts (1 to 100000), to see the dashboard keep up with a large fleet; its
               probes are rendered in-process, and its scans are kept in data/demo-N-hosts.db, apart from the demo's
  --seed S     another generated fleet of the same size (an integer; default 1)`;

export type DemoPlan =
  | { kind: "help" }
  | { kind: "scenario"; scenario: string }
  | { kind: "generated"; hosts: number; seed?: number; dbPath: string };

/** Throws an Error naming the flag that is wrong. `env` is read for FLEET_DOCTOR_SCENARIO and FLEET_DOCTOR_DB. */
export function parseDemoArgs(argv: string[], env: Record<string, string | undefined>, root: string): DemoPlan {
  const { values } = parseArgs({
    args: argv,
    options: { hosts: { type: "string" }, seed: { type: "string" }, help: { type: "boolean", short: "h" } },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return { kind: "help" };
  if (values.hosts === undefined) {
    if (values.seed !== undefined) throw new Error("--seed goes with --hosts");
    return { kind: "scenario", scenario: env.FLEET_DOCTOR_SCENARIO || "demo" };
  }
  if (env.FLEET_DOCTOR_SCENARIO) throw new Error("give FLEET_DOCTOR_SCENARIO or --hosts, not both");
  const hosts = numberFlag("hosts", values.hosts, isHostCount)!;
  const seed = numberFlag("seed", values.seed, Number.isInteger);
  const name = `demo-${hosts}-hosts${seed === undefined ? "" : `-seed-${seed}`}.db`;
  return { kind: "generated", hosts, seed, dbPath: env.FLEET_DOCTOR_DB || path.join(root, "data", name) };
}
