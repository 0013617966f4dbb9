/**
 * `npm run bench -- scan --instances N [--naive-instances M] [--json]`
 * (with `--accounts A --regions R`: the scan across fleets, bench/sweep.ts)
 *
 * Starts the simulator (model mode, a generated fleet of N hosts with its latency spread: most answer within a
 * second, a tail takes up to 12 s) with SSM-like throttling, then runs, each in its own process so memory is its own:
 *   ours  — runScan: SendCommand batches of 50 paced under the send rate, ListCommandInvocations pages of 50;
 *   naive — the same batches, then one GetCommandInvocation per instance per poll round every 5 s, as
 *           `aws ssm wait command-executed` does (on the first M online instances: at 10,000 it would take an hour).
 * Prints wall time, API calls by operation (from the simulator's /_sim/calls), calls per instance, peak RSS, the
 * physical limit (below) and the ratios.
 * `--postgres` runs ours a second time with the state in PostgreSQL (the server in FLEET_DOCTOR_TEST_DATABASE_URL,
 * or one the test harness starts: test/helpers/postgres.ts; a fresh database each run) and prints both engines.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { ROOT, startSimProcess } from "../bin/servers.ts";

/** Requests per second the simulator allows per operation (SSM publishes none; these are the observed order). */
export const THROTTLE: Record<string, number> = {
  SendCommand: 5,
  ListCommandInvocations: 20,
  GetCommandInvocation: 20,
  DescribeInstanceInformation: 5,
  DescribeAutoScalingInstances: 10,
  DescribeAutoScalingGroups: 10,
  DescribeWarmPool: 10,
  CancelCommand: 5,
};

type Host = { latencyMs?: number; stopped?: boolean; ssm?: { pingStatus?: string } };

/**
 * The fastest any scan of this fleet could finish at the modelled rates, counting every call the design needs:
 * the inventory lists 50 instances per DescribeInstanceInformation page (in the simulator's order); a batch of 50
 * online instances can be sent once its last instance is listed and the SendCommand before it went out; it ends
 * when its slowest instance answers. The limit is the latest such end (and never before the listing ends). Auto
 * Scaling membership (a few DescribeAutoScalingGroups / DescribeWarmPool pages) and collection (one
 * ListCommandInvocations page per batch at 20/s) run alongside and do not bind.
 */
function physicalLimit(hosts: Host[], sendRate: number) {
  const listed = hosts.filter((h) => !h.stopped);
  const pageRate = THROTTLE.DescribeInstanceInformation!;
  const pages = Math.ceil(listed.length / 50);
  const inventoryMs = (Math.max(0, pages - 1) / pageRate) * 1000;
  let batches = 0;
  let endMs = inventoryMs;
  let slowestMs = 0;
  let batch: number[] = [];
  const flush = (position: number) => {
    if (batch.length === 0) return;
    const listedAt = (Math.floor(position / 50) / pageRate) * 1000;
    const sentAt = Math.max(listedAt, (batches / sendRate) * 1000);
    endMs = Math.max(endMs, sentAt + Math.max(...batch));
    batches++;
    batch = [];
  };
  listed.forEach((h, position) => {
    if ((h.ssm?.pingStatus ?? "Online") !== "Online") return;
    batch.push(h.latencyMs ?? 0);
    slowestMs = Math.max(slowestMs, h.latencyMs ?? 0);
    if (batch.length === 50) flush(position);
  });
  flush(listed.length - 1);
  const sendMs = (Math.max(0, batches - 1) / sendRate) * 1000;
  return { limitMs: endMs, inventoryMs, pages, sendMs, batches, slowestMs };
}

type WorkerReport = {
  wallMs: number;
  /** User + system CPU time of the worker: the figure a loaded machine does not distort. */
  cpuMs: number;
  maxRssMB: number;
  instances: number;
  sent: number;
  byStatus: Record<string, number>;
};
type RunFigures = WorkerReport & {
  calls: Record<string, number>;
  totalCalls: number;
  callsPerInstance: number;
  throttled: number;
  /** From the last SendCommand to the last call. */
  tailAfterLastSendMs: number;
};

type SimCall = { op: string; at: string; status?: number; error?: string };

async function simCalls(url: string): Promise<SimCall[]> {
  const res = await fetch(`${url}/_sim/calls`);
  return ((await res.json()) as { calls: SimCall[] }).calls;
}

function runWorker(kind: "ours" | "naive", env: Record<string, string>): Promise<WorkerReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "bench/scan-worker.ts"), kind], {
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
      resolve(JSON.parse(line) as WorkerReport);
    });
  });
}

async function measure(url: string, kind: "ours" | "naive", env: Record<string, string>): Promise<RunFigures> {
  await fetch(`${url}/_sim/calls`, { method: "DELETE" });
  const report = await runWorker(kind, env);
  const calls = await simCalls(url);
  // How long collection went on after the last SendCommand: the part of the wall time the poll plan decides,
  // and a figure a loaded machine distorts far less than the whole wall time.
  const at = (op?: string) => calls.filter((c) => !op || c.op === op).map((c) => Date.parse(c.at));
  const lastSend = Math.max(...at("SendCommand"));
  const tailAfterLastSendMs = Number.isFinite(lastSend) ? Math.max(...at()) - lastSend : 0;
  const byOp: Record<string, number> = {};
  let throttled = 0;
  for (const c of calls) {
    byOp[c.op] = (byOp[c.op] ?? 0) + 1;
    if (c.status === 400 && /thrott/i.test(String(c.error ?? ""))) throttled++;
  }
  return {
    ...report,
    calls: byOp,
    totalCalls: calls.length,
    callsPerInstance: calls.length / Math.max(1, report.instances),
    throttled,
    tailAfterLastSendMs,
  };
}

/** Ours again with the state in a fresh PostgreSQL database (dropped afterwards; the server stopped if started here). */
async function measureOnPostgres(url: string, env: Record<string, string>, log: (s: string) => void) {
  const { postgresServer, freshDatabase } = await import("../test/helpers/postgres.ts");
  const server = await postgresServer();
  const db = await freshDatabase(server);
  try {
    log(`bench scan: our scan on PostgreSQL (${server.own ? "a server started for the bench" : "the given server"})…`);
    return await measure(url, "ours", { ...env, FLEET_DOCTOR_DATABASE_URL: db.url });
  } finally {
    await db.drop();
    await server.stop();
  }
}

export async function run(argv: string[]): Promise<void> {
  // Across fleets (issue 19): the sweep over a generated organization against its largest fleet alone.
  if (argv.some((a) => /^--(accounts|regions)(=|$)/.test(a))) return (await import("./sweep.ts")).run(argv);
  const { values } = parseArgs({
    args: argv,
    options: {
      instances: { type: "string", default: "1000" },
      "naive-instances": { type: "string" },
      seed: { type: "string", default: "1" },
      json: { type: "boolean", default: false },
      postgres: { type: "boolean", default: false },
    },
    strict: true,
  });
  const n = Number(values.instances);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new Error("--instances must be 1..100000");
  const naiveN = Number(values["naive-instances"] ?? Math.min(n, 500));
  const seed = Number(values.seed);
  const { generateScenario } = await import("../sim/fleet/index.ts");
  const scenario = generateScenario({ hosts: n, seed });
  const dir = mkdtempSync(path.join(tmpdir(), "fd-bench-scan-"));
  const scenarioFile = path.join(dir, "fleet.json");
  writeFileSync(scenarioFile, JSON.stringify(scenario));
  const throttleFlag = Object.entries(THROTTLE)
    .map(([op, rps]) => `${op}=${rps}`)
    .join(",");
  const log = (s: string) => (values.json ? undefined : console.error(s));
  log(`bench scan: starting the simulator with ${n} hosts (model mode, throttle ${throttleFlag})`);
  const sim = await startSimProcess(scenarioFile, ["--exec", "model", "--throttle", throttleFlag], 180_000);
  try {
    const online = scenario.hosts.filter((h) => !h.stopped && (h.ssm?.pingStatus ?? "Online") === "Online");
    const sendRate = Math.min(THROTTLE.SendCommand!, Number(process.env.FLEET_DOCTOR_SEND_RATE ?? 5));
    const limit = physicalLimit(scenario.hosts, sendRate);
    const physicalMs = limit.limitMs;
    const slowestMs = limit.slowestMs;
    const sendMs = limit.sendMs;

    const env = {
      AWS_ENDPOINT_URL: sim.url,
      AWS_ACCESS_KEY_ID: "bench",
      AWS_SECRET_ACCESS_KEY: "bench",
      AWS_REGION: "us-east-1",
      FLEET_DOCTOR_DB: path.join(dir, "bench.db"),
    };
    log("bench scan: our scan…");
    const ours = await measure(sim.url, "ours", env);
    const onPostgres = values.postgres ? await measureOnPostgres(sim.url, env, log) : undefined;
    log(`bench scan: naive scan of ${naiveN} instances…`);
    const naive = await measure(sim.url, "naive", { ...env, BENCH_NAIVE_INSTANCES: String(naiveN) });

    const result = {
      instances: n,
      online: online.length,
      throttle: THROTTLE,
      physicalLimitMs: Math.round(physicalMs),
      loadAverage: loadavg()[0],
      slowestDeliveryMs: slowestMs,
      sendTimeMs: Math.round(sendMs),
      inventoryTimeMs: Math.round(limit.inventoryMs),
      inventoryPages: limit.pages,
      ours,
      ...(onPostgres ? { oursOnPostgres: onPostgres } : {}),
      naive,
      ratios: {
        wallVsPhysical: ours.wallMs / Math.max(1, physicalMs),
        callsPerInstanceNaiveVsOurs: naive.callsPerInstance / Math.max(1e-9, ours.callsPerInstance),
        wallPerInstanceNaiveVsOurs: naive.wallMs / naive.instances / Math.max(1e-9, ours.wallMs / ours.instances),
        sendCommandPerBatchOf50: (ours.calls.SendCommand ?? 0) / Math.ceil(online.length / 50),
      },
    };
    if (values.json) {
      console.log(JSON.stringify(result, null, 2));
      return;
    }
    const row = (name: string, f: RunFigures) =>
      `${name.padEnd(6)} ${String(f.instances).padStart(6)} inst  ${(f.wallMs / 1000).toFixed(1).padStart(7)} s wall ${(f.cpuMs / 1000).toFixed(1).padStart(6)} s cpu  ${String(f.totalCalls).padStart(7)} calls  ${f.callsPerInstance.toFixed(2).padStart(6)} calls/inst  ${f.maxRssMB.toFixed(0).padStart(5)} MB peak RSS  ${String(f.throttled).padStart(5)} throttled  ${(f.tailAfterLastSendMs / 1000).toFixed(1).padStart(5)} s after the last send`;
    console.log(`scan benchmark: ${n} instances (${online.length} online), simulator in model mode`);
    console.log(`throttle (rps): ${throttleFlag}`);
    console.log(`machine: ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)} at the end`);
    console.log(
      `physical limit: ${(physicalMs / 1000).toFixed(1)} s (inventory ${(limit.inventoryMs / 1000).toFixed(1)} s: ${limit.pages} DescribeInstanceInformation pages at ${THROTTLE.DescribeInstanceInformation}/s; send ${(sendMs / 1000).toFixed(1)} s: ${limit.batches} SendCommand at ${sendRate}/s, each batch sent once listed; slowest delivery ${(slowestMs / 1000).toFixed(1)} s)`,
    );
    console.log(
      `target: at most 0.10 calls per instance (ours ${ours.callsPerInstance.toFixed(3)}); wall within 1.2x of the limit (ours ${(ours.wallMs / Math.max(1, physicalMs)).toFixed(2)}x)`,
    );
    console.log(row("ours", ours));
    if (onPostgres) {
      console.log(row("ours-pg", onPostgres));
      console.log(
        `PostgreSQL vs SQLite: wall ${((onPostgres.wallMs / ours.wallMs - 1) * 100).toFixed(1)}% (target within 10%), calls per instance ${onPostgres.callsPerInstance.toFixed(3)} vs ${ours.callsPerInstance.toFixed(3)}`,
      );
    }
    console.log(row("naive", naive));
    console.log(`ours by operation:  ${JSON.stringify(ours.calls)}`);
    console.log(`naive by operation: ${JSON.stringify(naive.calls)}`);
    console.log(
      `ratios: ours wall / physical limit = ${result.ratios.wallVsPhysical.toFixed(2)}; naive / ours calls per instance = ${result.ratios.callsPerInstanceNaiveVsOurs.toFixed(1)}x; naive / ours wall per instance = ${result.ratios.wallPerInstanceNaiveVsOurs.toFixed(1)}x`,
    );
    console.log(
      `SendCommand per 50 online instances: ${result.ratios.sendCommandPerBatchOf50.toFixed(2)}; ListCommandInvocations per 50 instances: ${(((ours.calls.ListCommandInvocations ?? 0) / online.length) * 50).toFixed(2)}`,
    );
  } finally {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
