/**
 * `npm run bench -- watch [--instances 200] [--minutes 5] [--interval 30] [--steady 2000] [--quiet-minutes 2] [--json]`
 *
 * Autopilot healing a scale-out, measured from the simulator (model mode; restarts run in bash there):
 * four groups launch `--instances` instances with affected agents (1.89.3, 1.90.0, 1.91.0; ECS_WARM_POOLS_CHECK=true)
 * over `--minutes`: three straight to InService, one into a warm pool that moves them to InService; steady healthy
 * hosts alongside. `fleet-doctor watch` runs in its own process (the CLI, default interval 30 s) on a fresh SQLite
 * store whose groups all have a `restart` policy, set through lib/autopilot before the schedules are resumed.
 * Prints:
 *  - InService (the simulator's inServiceAt) to healthy, two ways: the simulator's agent.registeredAt after the
 *    restart, and autopilot's `verified` log entry; p50, p95, max; healed of launched (target p95 < 60 s);
 *  - restarts sent to an instance that was not lifecycle-404:ready when sent (target 0), from the simulator's call
 *    log checked against the simulator's host: InService published, agent exited 5 (the 404), not registered;
 *  - second restarts of one instance (target 0);
 *  - AWS calls per minute and per look while quiet (after every launch is healed), and the same on a steady fleet
 *    of `--steady` healthy hosts after its first look probed them all: the quiet rate should not grow with the fleet.
 * Full scans are off (FLEET_DOCTOR_FULL_SCAN_CRON=off): a cron falling into a window would be a different figure.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { ROOT, type Server, simulatorEnv, startSimProcess } from "../bin/servers.ts";

const AFFECTED = ["1.89.3", "1.90.0", "1.91.0", "1.89.3"];
const GROUPS = ["web", "api", "queue", "pool"];
const WARM = "pool";
const CHECK_ON = { ECS_CLUSTER: "bench", ECS_WARM_POOLS_CHECK: "true" };

type SimCall = { seq: number; op: string; at: string; params: Record<string, unknown> };
type GroupInstance = {
  instanceId: string;
  lifecycleState: string;
  launchedBy: { sequence: number; into: string } | null;
  inServiceAt?: string;
  registeredAt?: string;
};
type HostView = {
  instanceId: string;
  inServiceAt?: string;
  agent: { registeredAt?: string; lastExit?: { code: number; at?: string } };
};
type Entry = { at: string; kind: string; instanceId?: string; group?: string; detail: string };
type Turn = {
  receivedAt: number;
  kind: string;
  error?: string;
  look?: { calls: number; scanId?: string; found: Record<string, number>; skipped?: { reason: string } };
};

const steadyId = (k: number) => `i-0${(0xbe00000000000 + k).toString(16).padStart(16, "0")}`;

function steadyHost(k: number, group?: string) {
  return {
    id: steadyId(k),
    name: `steady-${k}`,
    agentVersion: "1.110.0",
    launchedAgo: "3d",
    // In no group, the check would keep even a fixed agent waiting for a lifecycle state no group publishes.
    ecsConfig: group ? CHECK_ON : { ECS_CLUSTER: "bench" },
    ...(group ? { group: { name: group } } : {}),
    expect: "healthy",
  };
}

/** `instances` launches spread over `minutes` in four groups; `steady` healthy hosts (a fifth in no group). */
export function benchScenario(instances: number, minutes: number, steady: number) {
  const per = GROUPS.map((_, i) => Math.floor(instances / 4) + (i < instances % 4 ? 1 : 0));
  const hosts = Array.from({ length: steady }, (_, k) => steadyHost(k, k % 5 === 4 ? undefined : GROUPS[k % 5]));
  const steadyIn = (g: string) => hosts.filter((h) => h.group?.name === g).length;
  return {
    name: "bench-watch",
    groups: GROUPS.map((name, i) => {
      const n = per[i]!;
      const every = `${Math.max(1, Math.round((minutes * 60) / Math.max(1, n)))}s`;
      const launch = { agentVersion: AFFECTED[i]!, ecsConfig: CHECK_ON, expect: "lifecycle-404:ready" };
      const base = { name, minSize: 0, maxSize: steadyIn(name) + n + 10, launch };
      if (n === 0) return base;
      if (name !== WARM)
        return { ...base, scaleOut: { every, count: 1, into: "in-service", max: n, startAfter: every } };
      // Into the pool at the same pace; moved to InService once each warmed state is published (30 s by default).
      const moveAfter = `${Math.max(1, Math.round((minutes * 60) / n)) + 40}s`;
      return {
        ...base,
        warmPool: { poolState: "Running", minSize: n },
        scaleOut: { every, count: 1, into: "warm-pool", max: n, startAfter: every },
        moveToInService: { every, count: 1, max: n, startAfter: moveAfter },
      };
    }),
    hosts,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${init?.method ?? "GET"} ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

function runWorker(env: NodeJS.ProcessEnv, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "bench/watch-worker.ts"), ...args], {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (b: Buffer) => {
      out += b.toString();
    });
    child.once("exit", (code) =>
      code === 0 ? resolve(out.trim().split("\n").at(-1) ?? "") : reject(new Error(`watch-worker ${args[0]}: ${code}`)),
    );
  });
}

/** `fleet-doctor watch --json` as the CLI runs it; its turns are collected with the time they arrived. */
class Watcher {
  readonly turns: Turn[] = [];
  private child: ChildProcess;
  private exited: Promise<number | null>;
  private leading: Promise<void>;

  constructor(env: NodeJS.ProcessEnv, interval: number, log: (s: string) => void) {
    this.child = spawn(
      process.execPath,
      ["--import", "tsx", path.join(ROOT, "bin/fleet-doctor.mjs"), "watch", "--json", "--interval", String(interval)],
      { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] },
    );
    this.exited = new Promise((r) => this.child.once("exit", (code) => r(code)));
    let buf = "";
    this.child.stdout!.on("data", (b: Buffer) => {
      buf += b.toString();
      let nl = buf.indexOf("\n");
      while (nl >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        nl = buf.indexOf("\n");
        try {
          this.turns.push({ ...(JSON.parse(line) as Omit<Turn, "receivedAt">), receivedAt: Date.now() });
        } catch {
          log(`watch: ${line}`);
        }
      }
    });
    let err = "";
    this.leading = new Promise((resolve, reject) => {
      this.child.stderr!.on("data", (b: Buffer) => {
        err += b.toString();
        for (const line of b.toString().split("\n")) if (line.trim() && !/contending|leading/.test(line)) log(line);
        if (/leading/.test(err)) resolve();
      });
      void this.exited.then((code) => reject(new Error(`watcher exited ${code}: ${err.slice(-2000)}`)));
    });
  }

  get pid() {
    return this.child.pid;
  }

  whenLeading() {
    return this.leading;
  }

  async stop() {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 20_000);
    await this.exited;
    clearTimeout(timer);
  }
}

function percentile(sorted: number[], p: number) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function spread(values: number[]) {
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), max: s.at(-1) ?? Number.NaN };
}

function byOp(calls: SimCall[]) {
  const out: Record<string, number> = {};
  for (const c of calls) out[c.op] = (out[c.op] ?? 0) + 1;
  return out;
}

/** Calls and looks in [from, from + ms): per minute (by operation) and per look. */
function quietRate(calls: SimCall[], turns: Turn[], from: number, ms: number) {
  const inWindow = calls.filter((c) => {
    const t = Date.parse(c.at);
    return t >= from && t < from + ms;
  });
  const looks = turns.filter((t) => t.kind === "look" && t.receivedAt >= from && t.receivedAt < from + ms);
  const minutes = ms / 60_000;
  const ops = byOp(inWindow);
  return {
    windowSeconds: ms / 1000,
    calls: inWindow.length,
    perMinute: inWindow.length / minutes,
    byOpPerMinute: Object.fromEntries(Object.entries(ops).map(([op, n]) => [op, n / minutes])),
    looks: looks.length,
    perLook: inWindow.length / Math.max(1, looks.length),
    probedByReason: looks.reduce<Record<string, number>>((sum, t) => {
      for (const [k, v] of Object.entries(t.look?.found ?? {}))
        sum[k] = (sum[k] ?? 0) + (typeof v === "number" ? v : 0);
      return sum;
    }, {}),
    probedInWindow: looks.reduce(
      (sum, t) => sum + Object.values(t.look?.found ?? {}).reduce((a, b) => a + (typeof b === "number" ? b : 0), 0),
      0,
    ),
  };
}

function restartSends(calls: SimCall[]) {
  return calls.filter((c) => {
    const p = c.params as { Parameters?: { commands?: string[] } };
    return c.op === "SendCommand" && (p.Parameters?.commands?.[1]?.startsWith("# fleet-doctor-restart") ?? false);
  });
}

/** Whether the simulator's host was lifecycle-404:ready at `at`: InService published, agent dead of the 404, unregistered. */
function readyAt(h: HostView, at: number): boolean {
  const inService = h.inServiceAt ? Date.parse(h.inServiceAt) : Number.POSITIVE_INFINITY;
  const exit = h.agent.lastExit;
  const died = exit?.code === 5 && exit.at !== undefined && Date.parse(exit.at) <= at;
  const registered = h.agent.registeredAt !== undefined && Date.parse(h.agent.registeredAt) <= at;
  return inService <= at && died && !registered;
}

type Env = NodeJS.ProcessEnv;

function storeEnv(simUrl: string, dir: string, name: string): Env {
  return {
    ...process.env,
    ...simulatorEnv(simUrl),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    FLEET_DOCTOR_DB: path.join(dir, `${name}.db`),
    FLEET_DOCTOR_DATABASE_URL: undefined,
    FLEET_DOCTOR_FULL_SCAN_CRON: "off",
    FLEET_DOCTOR_WEBHOOKS: undefined,
    FLEET_DOCTOR_AUTOPILOT: undefined,
  };
}

async function withSim<T>(dir: string, name: string, scenario: unknown, body: (sim: Server) => Promise<T>) {
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(scenario));
  const sim = await startSimProcess(file, ["--exec", "model"], 180_000);
  try {
    return await body(sim);
  } finally {
    await sim.stop();
  }
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      instances: { type: "string", default: "200" },
      minutes: { type: "string", default: "5" },
      interval: { type: "string", default: "30" },
      steady: { type: "string", default: "2000" },
      "quiet-minutes": { type: "string", default: "2" },
      json: { type: "boolean", default: false },
    },
    strict: true,
  });
  const instances = Number(values.instances);
  const minutes = Number(values.minutes);
  const interval = Number(values.interval);
  const steady = Number(values.steady);
  const quietMs = Number(values["quiet-minutes"]) * 60_000;
  if (!Number.isInteger(instances) || instances < 4 || instances > 2000) throw new Error("--instances must be 4..2000");
  if (!(minutes > 0 && minutes <= 60)) throw new Error("--minutes must be in (0, 60]");
  if (!Number.isInteger(interval) || interval < 1 || interval > 3600) throw new Error("--interval must be 1..3600");
  if (!Number.isInteger(steady) || steady < 0 || steady > 20_000) throw new Error("--steady must be 0..20000");
  if (!(quietMs >= 30_000)) throw new Error("--quiet-minutes must be at least 0.5");
  const log = (s: string) => (values.json ? undefined : console.error(s));
  const loadStart = loadavg();
  const dir = mkdtempSync(path.join(tmpdir(), "fd-bench-watch-"));
  const smallSteady = 20;
  try {
    // Phase 1: the scale-out, healed by autopilot.
    const scaleOut = await withSim(dir, "scale-out", benchScenario(instances, minutes, smallSteady), async (sim) => {
      await getJson(`${sim.url}/_sim/scale`, { method: "POST", body: JSON.stringify({ paused: true }) });
      const env = storeEnv(sim.url, dir, "scale-out");
      const set = JSON.parse(await runWorker(env, ["policy", ...GROUPS])) as { fleet: string; policies: number };
      log(`bench watch: ${set.policies} restart policies set on fleet ${set.fleet}; starting the watcher`);
      const watcher = new Watcher(env, interval, log);
      try {
        await watcher.whenLeading();
        // Let the first look see the steady fleet before anything launches.
        while (!watcher.turns.some((t) => t.kind === "look")) await sleep(500);
        const resumedAt = Date.now();
        await getJson(`${sim.url}/_sim/scale`, { method: "POST", body: JSON.stringify({ paused: false }) });
        log(`bench watch: launches resumed (watcher pid ${watcher.pid}, sim pid ${sim.pid})`);
        const deadline = resumedAt + minutes * 60_000 + 15 * 60_000;
        let launched: GroupInstance[] = [];
        let lastReport = 0;
        for (;;) {
          const groups = (await getJson<{ groups: { instances: GroupInstance[] }[] }>(`${sim.url}/_sim/groups`)).groups;
          launched = groups.flatMap((g) => g.instances).filter((i) => i.launchedBy);
          const inService = launched.filter((i) => i.inServiceAt);
          const healed = inService.filter((i) => i.registeredAt && i.registeredAt > i.inServiceAt!);
          if (Date.now() - lastReport > 30_000) {
            lastReport = Date.now();
            log(
              `bench watch: +${Math.round((Date.now() - resumedAt) / 1000)} s: launched ${launched.length}, InService ${inService.length}, healed ${healed.length}`,
            );
          }
          if (healed.length >= instances || Date.now() > deadline) break;
          await sleep(2_000);
        }
        const healedAt = Date.now();
        // Verifications end and healed instances are looked at once more; then the fleet is quiet.
        log(`bench watch: every launch healed (or the deadline passed); settling ${interval} s, then quiet`);
        await sleep(interval * 1000 + 5_000);
        const quietFrom = Date.now();
        await sleep(quietMs);
        const calls = (await getJson<{ calls: SimCall[] }>(`${sim.url}/_sim/calls`)).calls;
        const sends = restartSends(calls);
        const targeted = [...new Set(sends.flatMap((c) => (c.params.InstanceIds as string[]) ?? []))];
        const views = new Map<string, HostView>();
        for (const id of targeted) views.set(id, await getJson<HostView>(`${sim.url}/_sim/hosts/${id}`));
        const groups = (await getJson<{ groups: { instances: GroupInstance[] }[] }>(`${sim.url}/_sim/groups`)).groups;
        launched = groups.flatMap((g) => g.instances).filter((i) => i.launchedBy);
        await watcher.stop();
        const entries = JSON.parse(await runWorker(env, ["log"])) as Entry[];
        return {
          resumedAt,
          healedAt,
          launched,
          sends,
          views,
          entries,
          calls,
          quiet: quietRate(calls, watcher.turns, quietFrom, quietMs),
          turns: watcher.turns,
        };
      } finally {
        await watcher.stop();
      }
    });

    // Phase 2: a bigger steady fleet, no launches: the quiet rate after the first look probed it all.
    let big: ReturnType<typeof quietRate> | undefined;
    let bigFirstLook: { seconds: number; calls: number; probed: number } | undefined;
    if (steady > 0) {
      log(`bench watch: steady fleet of ${steady} hosts`);
      const r = await withSim(dir, "steady", benchScenario(0, minutes, steady), async (sim) => {
        const env = storeEnv(sim.url, dir, "steady");
        await runWorker(env, ["policy", ...GROUPS]);
        const startedAt = Date.now();
        const watcher = new Watcher(env, interval, log);
        try {
          await watcher.whenLeading();
          let first: Turn | undefined;
          while (!first) {
            first = watcher.turns.find((t) => t.kind === "look" && t.look?.scanId);
            await sleep(500);
          }
          const firstAt = Date.now();
          log(`bench watch: first look probed the steady fleet; quiet for ${quietMs / 1000} s`);
          await sleep(quietMs);
          const calls = (await getJson<{ calls: SimCall[] }>(`${sim.url}/_sim/calls`)).calls;
          await watcher.stop();
          const f = first.look!.found;
          return {
            quiet: quietRate(calls, watcher.turns, firstAt, quietMs),
            first: {
              seconds: (first.receivedAt - startedAt) / 1000,
              calls: calls.filter((c) => Date.parse(c.at) < firstAt).length,
              probed: (f.new ?? 0) + (f.changed ?? 0) + (f.stale ?? 0) + (f.transitional ?? 0),
            },
          };
        } finally {
          await watcher.stop();
        }
      });
      big = r.quiet;
      bigFirstLook = r.first;
    }

    // Figures.
    const { launched, sends, views, entries } = scaleOut;
    const inService = launched.filter((i) => i.inServiceAt);
    const bySim = inService
      .filter((i) => i.registeredAt && i.registeredAt > i.inServiceAt!)
      .map((i) => (Date.parse(i.registeredAt!) - Date.parse(i.inServiceAt!)) / 1000);
    const verifiedAt = new Map<string, number>();
    for (const e of entries) {
      if (e.kind === "verified" && e.instanceId && !verifiedAt.has(e.instanceId))
        verifiedAt.set(e.instanceId, Date.parse(e.at));
    }
    const byLog = inService
      .filter((i) => verifiedAt.has(i.instanceId))
      .map((i) => (verifiedAt.get(i.instanceId)! - Date.parse(i.inServiceAt!)) / 1000);
    const perInstance = new Map<string, number>();
    const notReady: { instanceId: string; at: string }[] = [];
    for (const c of sends) {
      for (const id of (c.params.InstanceIds as string[]) ?? []) {
        perInstance.set(id, (perInstance.get(id) ?? 0) + 1);
        const v = views.get(id);
        if (!v || !readyAt(v, Date.parse(c.at))) notReady.push({ instanceId: id, at: c.at });
      }
    }
    const twice = [...perInstance.entries()].filter(([, n]) => n > 1);
    // A probe skipped (another scan held the fleet) or a failed look waits a whole interval: why p95 can grow.
    const looks = scaleOut.turns.filter((t) => t.kind === "look");
    const turnsFigures = {
      looks: looks.length,
      probeSkipped: looks.filter((t) => t.look?.skipped).length,
      behind: scaleOut.turns.filter((t) => t.kind === "behind").length,
      skippedExamples: looks.flatMap((t) => (t.look?.skipped ? [t.look.skipped.reason] : [])).slice(0, 3),
    };
    const kinds: Record<string, number> = {};
    for (const e of entries) kinds[e.kind] = (kinds[e.kind] ?? 0) + 1;
    const result = {
      instances,
      minutes,
      intervalSeconds: interval,
      machine: { cores: cpus().length, loadAverageStart: loadStart, loadAverageEnd: loadavg() },
      launched: launched.length,
      inService: inService.length,
      healedBySimulator: bySim.length,
      inServiceToRegisteredSeconds: spread(bySim),
      inServiceToVerifiedSeconds: spread(byLog),
      restartSends: sends.length,
      restartedInstances: perInstance.size,
      restartsNotReady: notReady.length,
      notReadyExamples: notReady.slice(0, 5),
      secondRestarts: twice.length,
      autopilotLog: kinds,
      watcherTurns: turnsFigures,
      healSeconds: (scaleOut.healedAt - scaleOut.resumedAt) / 1000,
      quietScaleOut: { hosts: smallSteady + launched.length, ...scaleOut.quiet },
      ...(big ? { quietSteady: { hosts: steady, firstLook: bigFirstLook, ...big } } : {}),
    };
    if (values.json) {
      console.log(JSON.stringify(result, null, 2));
      return;
    }
    const s = (x: { n: number; p50: number; p95: number; max: number }) =>
      `p50 ${x.p50.toFixed(1)} s, p95 ${x.p95.toFixed(1)} s, max ${x.max.toFixed(1)} s (n ${x.n})`;
    const q = (name: string, hosts: number, r: ReturnType<typeof quietRate>) =>
      `quiet, ${name} (${hosts} hosts, ${r.windowSeconds} s): ${r.perMinute.toFixed(1)} calls/min, ${r.perLook.toFixed(1)} per look (${r.looks} looks, ${r.probedInWindow} probed: ${JSON.stringify(r.probedByReason)}); by operation per minute ${JSON.stringify(Object.fromEntries(Object.entries(r.byOpPerMinute).map(([k, v]) => [k, Number(v.toFixed(1))])))}`;
    console.log(
      `watch benchmark: ${instances} launches over ${minutes} min into ${GROUPS.join(", ")} (${WARM}: warm pool, moved to InService), affected agents ${[...new Set(AFFECTED)].join(", ")} with ECS_WARM_POOLS_CHECK=true, ${smallSteady} steady hosts; simulator in model mode; fleet-doctor watch --interval ${interval} with restart on every group; full scans off`,
    );
    console.log(
      `machine: ${cpus().length} cores, load average ${loadStart.map((l) => l.toFixed(2)).join(" ")} at the start, ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")} at the end`,
    );
    console.log(
      `healed: ${bySim.length} of ${inService.length} InService (${launched.length} launched) in ${result.healSeconds.toFixed(0)} s from the resume`,
    );
    console.log(
      `InService -> agent registered (simulator): ${s(result.inServiceToRegisteredSeconds)}; target p95 < 60 s`,
    );
    console.log(`InService -> autopilot 'verified' (log):   ${s(result.inServiceToVerifiedSeconds)}`);
    console.log(
      `restarts: ${sends.length} SendCommand carrying the restart script to ${perInstance.size} instances; not lifecycle-404:ready when sent: ${notReady.length} (target 0)${notReady.length ? ` e.g. ${JSON.stringify(notReady.slice(0, 3))}` : ""}; second restarts: ${twice.length} (target 0)`,
    );
    console.log(`autopilot log: ${JSON.stringify(kinds)}`);
    console.log(
      `watcher during the scale-out: ${turnsFigures.looks} looks, ${turnsFigures.probeSkipped} with the probe skipped (another scan held the fleet${turnsFigures.skippedExamples.length ? `: ${turnsFigures.skippedExamples.join("; ")}` : ""}), ${turnsFigures.behind} behind`,
    );
    console.log(q("after the scale-out", result.quietScaleOut.hosts, scaleOut.quiet));
    if (big && bigFirstLook) {
      console.log(
        `steady fleet first look: ${bigFirstLook.probed} probed, ${bigFirstLook.calls} calls, ${bigFirstLook.seconds.toFixed(0)} s from the watcher's start`,
      );
      console.log(q("steady fleet", steady, big));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
