/**
 * `npm run bench -- scan --accounts 3 --regions 2 --instances 10000 [--seed S] [--json]`
 *
 * The scan across fleets (issue 19): starts the simulator (model mode) over a generated organization of `accounts`
 * member accounts in `regions` regions with `instances` hosts spread over the fleets, with the scan bench's
 * SSM-like throttles (a bucket per account and region, as AWS's), writes a fleets file reaching each member through
 * its FleetDoctorMember role, then runs, each in its own process:
 *   sweep  — startSweep over every fleet at once (each fleet its own clients, pace and retry budget);
 *   single — the largest fleet alone (runScan with that fleet's clients).
 * Prints wall time (sweep vs single), calls per instance of both (from /_sim/calls), peak RSS, and the targets:
 * sweep wall <= 1.2 x single, calls per instance unchanged, memory under 300 MB.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { ROOT, startSimProcess } from "../bin/servers.ts";
import { THROTTLE } from "./scan.ts";

type FleetFigures = { fleet: string; status: string; instances: number; wallMs: number; error?: string };
type Report = { wallMs: number; cpuMs: number; maxRssMB: number; instances: number; fleets: FleetFigures[] };
type Figures = Report & { calls: number; byOp: Record<string, number>; callsPerInstance: number; throttled: number };

function runWorker(kind: "sweep" | "single", env: Record<string, string>): Promise<Report> {
  return new Promise((resolve, reject) => {
    // The worker is a server process: lib/fleets is `server-only`, which loads under the react-server condition.
    const args = ["--conditions=react-server", "--import", "tsx", path.join(ROOT, "bench/sweep-worker.ts"), kind];
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (b: Buffer) => {
      out += b.toString();
    });
    child.once("exit", (code) => {
      const line = out.trim().split("\n").at(-1) ?? "";
      if (code !== 0) return reject(new Error(`${kind} worker exited ${code}: ${out.slice(-2000)}`));
      resolve(JSON.parse(line) as Report);
    });
  });
}

async function measure(url: string, kind: "sweep" | "single", env: Record<string, string>): Promise<Figures> {
  await fetch(`${url}/_sim/calls`, { method: "DELETE" });
  const report = await runWorker(kind, env);
  const calls = ((await (await fetch(`${url}/_sim/calls`)).json()) as { calls: { op: string; error?: string }[] })
    .calls;
  const byOp: Record<string, number> = {};
  let throttled = 0;
  for (const c of calls) {
    byOp[c.op] = (byOp[c.op] ?? 0) + 1;
    if (/thrott|rate exceeded/i.test(String(c.error ?? ""))) throttled++;
  }
  return {
    ...report,
    calls: calls.length,
    byOp,
    callsPerInstance: calls.length / Math.max(1, report.instances),
    throttled,
  };
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      accounts: { type: "string", default: "3" },
      regions: { type: "string", default: "2" },
      instances: { type: "string", default: "10000" },
      seed: { type: "string", default: "1" },
      json: { type: "boolean", default: false },
    },
    strict: true,
  });
  const accounts = Number(values.accounts);
  const regionCount = Number(values.regions);
  const n = Number(values.instances);
  if (!Number.isInteger(accounts) || accounts < 1 || accounts > 50) throw new Error("--accounts must be 1..50");
  if (!Number.isInteger(regionCount) || regionCount < 1 || regionCount > 10) throw new Error("--regions must be 1..10");
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new Error("--instances must be 1..100000");
  const { generateMultiScenario } = await import("../sim/fleet/index.ts");
  const scenario = generateMultiScenario({ accounts, regions: regionCount, hosts: n, seed: Number(values.seed) });
  const members = scenario.accounts ?? [];
  const regions = members[0]?.fleets.map((f) => f.region) ?? [];
  const sizes = members.flatMap((a) => a.fleets.map((f) => ({ fleet: `${a.id}/${f.region}`, hosts: f.hosts.length })));
  const largest = sizes.reduce((a, b) => (b.hosts > a.hosts ? b : a));

  const dir = mkdtempSync(path.join(tmpdir(), "fd-bench-sweep-"));
  const scenarioFile = path.join(dir, "organization.json");
  writeFileSync(scenarioFile, JSON.stringify(scenario));
  const fleetsFile = path.join(dir, "fleets.json");
  writeFileSync(
    fleetsFile,
    JSON.stringify({
      defaults: { role: "FleetDoctorMember", regions },
      accounts: members.map((a) => ({ account_id: a.id, name: a.name })),
    }),
  );
  const throttleFlag = Object.entries(THROTTLE)
    .map(([op, rps]) => `${op}=${rps}`)
    .join(",");
  const log = (s: string) => (values.json ? undefined : console.error(s));
  log(
    `bench scan: starting the simulator with ${n} hosts in ${sizes.length} fleets (${accounts} accounts x ${regionCount} regions, model mode, throttle ${throttleFlag} per fleet)`,
  );
  const loadBefore = loadavg()[0]!;
  const sim = await startSimProcess(scenarioFile, ["--exec", "model", "--throttle", throttleFlag], 300_000);
  try {
    const env = {
      AWS_ENDPOINT_URL: sim.url,
      AWS_ACCESS_KEY_ID: "bench",
      AWS_SECRET_ACCESS_KEY: "bench",
      AWS_REGION: regions[0] ?? "us-east-1",
      FLEET_DOCTOR_FLEETS: fleetsFile,
    };
    log(`bench scan: the sweep over ${sizes.length} fleets…`);
    const sweep = await measure(sim.url, "sweep", { ...env, FLEET_DOCTOR_DB: path.join(dir, "sweep.db") });
    log(`bench scan: the largest fleet alone (${largest.fleet}, ${largest.hosts} hosts)…`);
    const single = await measure(sim.url, "single", {
      ...env,
      FLEET_DOCTOR_DB: path.join(dir, "single.db"),
      BENCH_FLEET: largest.fleet,
    });
    const loadAfter = loadavg()[0]!;
    const ratios = {
      wallSweepVsSingle: sweep.wallMs / Math.max(1, single.wallMs),
      callsPerInstanceSweepVsSingle: sweep.callsPerInstance / Math.max(1e-9, single.callsPerInstance),
    };
    const result = {
      accounts,
      regions,
      instances: n,
      fleets: sizes,
      largest,
      throttlePerFleet: THROTTLE,
      machine: { cores: cpus().length, loadAverageBefore: loadBefore, loadAverageAfter: loadAfter },
      sweep,
      single,
      ratios,
    };
    if (values.json) {
      console.log(JSON.stringify(result, null, 2));
      return;
    }
    const row = (name: string, f: Figures) =>
      `${name.padEnd(6)} ${String(f.instances).padStart(6)} inst  ${(f.wallMs / 1000).toFixed(1).padStart(6)} s wall ${(f.cpuMs / 1000).toFixed(1).padStart(6)} s cpu  ${String(f.calls).padStart(6)} calls  ${f.callsPerInstance.toFixed(3).padStart(6)} calls/inst  ${f.maxRssMB.toFixed(0).padStart(4)} MB peak RSS  ${String(f.throttled).padStart(4)} throttled`;
    console.log(
      `scan benchmark across fleets: ${n} instances in ${sizes.length} fleets (${accounts} accounts x ${regionCount} regions: ${regions.join(", ")}), simulator in model mode`,
    );
    console.log(`throttle (rps, per account and region): ${throttleFlag}`);
    console.log(
      `machine: ${cpus().length} cores, load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} at the end`,
    );
    console.log(row("sweep", sweep));
    console.log(row("single", single));
    for (const f of sweep.fleets) {
      console.log(
        `  sweep  ${f.fleet.padEnd(26)} ${f.status.padEnd(9)} ${String(f.instances).padStart(5)} inst  ${(f.wallMs / 1000).toFixed(1).padStart(6)} s${f.error ? `  ${f.error}` : ""}`,
      );
    }
    console.log(`  single ${largest.fleet.padEnd(26)} ${single.fleets[0]?.status ?? ""}`);
    console.log(`sweep by operation:  ${JSON.stringify(sweep.byOp)}`);
    console.log(`single by operation: ${JSON.stringify(single.byOp)}`);
    console.log(
      `targets: sweep wall <= 1.2x the largest fleet alone (${ratios.wallSweepVsSingle.toFixed(2)}x); calls per instance unchanged (${sweep.callsPerInstance.toFixed(3)} vs ${single.callsPerInstance.toFixed(3)}, ${ratios.callsPerInstanceSweepVsSingle.toFixed(2)}x); peak RSS < 300 MB (sweep ${sweep.maxRssMB.toFixed(0)} MB)`,
    );
  } finally {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
