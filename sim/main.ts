/**
 * Starts the fleet simulator: one HTTP server on 127.0.0.1 serving SSM, Auto Scaling, the control API and the
 * hosts' endpoints, over a fleet built from a scenario in a sandbox folder that is removed on close.
 *
 *   const sim = await startSimulator({ scenario: "demo" });   // sim.url = http://127.0.0.1:<port>
 *   ...; await sim.close();
 *
 * `createSimulator` is the same over any fleet factory; `startSimulator` uses the real fleet of sim/fleet.
 */
import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ScenarioSpec } from "./control.ts";
import { emptyFleet } from "./empty-fleet.ts";
import { type FaultSettings, Faults } from "./faults.ts";
import {
  createFleet,
  directoryOf,
  loadScenario,
  memberScenarios,
  parseScenario,
  type Scenario,
} from "./fleet/index.ts";
import type { Directory, Fleet } from "./fleet-types.ts";
import { CallLog } from "./protocol/calls.ts";
import { AwsError } from "./protocol/errors.ts";
import { createSimServer, type SimRuntime } from "./server.ts";
import { CommandStore } from "./ssm/invocations.ts";
import { DEFAULT_ACCOUNT } from "./sts/index.ts";
import { Sessions } from "./sts/sessions.ts";

export type SimulatorOptions<S = unknown> = {
  /** 0 or undefined: a free port. */
  port?: number;
  /** A scenario name (sim/scenarios/<name>.json), a path, or a scenario object. */
  scenario: string | S;
  exec?: "bash" | "model";
  /** Where host sandboxes go; a temp folder (removed on close) when not given. */
  sandboxRoot?: string;
  faults?: FaultSettings;
  /** How long after SendCommand GetCommandInvocation answers InvocationDoesNotExist (ms, default 250). */
  invisibleMs?: number;
  /** Upper bound on concurrently running bash processes (passed to the fleet). */
  maxProcesses?: number;
  /**
   * How long (ms) a listing of hosts and groups is reused between requests (default 1000; 0 = never). Paging through
   * a 10,000-host fleet would otherwise rebuild the whole listing for every page. Attach, detach, reset and
   * scenario loads made through the simulator drop it at once; only time-driven changes can lag by up to this.
   */
  snapshotTtlMs?: number;
  /**
   * The default account: that of every access key the simulator's STS did not issue (STS GetCallerIdentity answers
   * it). Default: a multi-account scenario's own accountId (its management account), else 123456789012.
   */
  account?: string;
};

export type Simulator = { url: string; port: number; close(): Promise<void> };

/** What the simulator needs from the fleet module (sim/fleet): resolving scenarios and building fleets. */
export type FleetFactory<S> = {
  /** A scenario from a name, a path or an inline object (validated). */
  resolve(spec: ScenarioSpec): Promise<S>;
  create(
    scenario: S,
    opts: { exec: "bash" | "model"; sandboxRoot: string; baseUrl: string; maxProcesses?: number },
  ): Promise<Fleet>;
  /**
   * The accounts, roles and organization of a scenario, and its other fleets (one scenario per account and region)
   * when it has several. Factories without it serve one fleet and know no accounts.
   */
  layout?(scenario: S): { directory: Directory; members: { account: string; region: string; scenario: S }[] };
};

type Entry = { account: string; region: string; fleet: Fleet; store: CommandStore };
/** The fleets of one scenario load, and the folder their sandboxes are in. */
type Generation = { home: Fleet; homeStore: CommandStore; members: Entry[]; directory?: Directory; dir: string };

/** The simulator over any fleet factory (tests may pass a small one); `startSimulator` uses the real fleet. */
export async function createSimulator<S>(opts: SimulatorOptions<S>, factory: FleetFactory<S>): Promise<Simulator> {
  const ownSandbox = !opts.sandboxRoot;
  const root = opts.sandboxRoot ?? (await mkdtemp(path.join(tmpdir(), "fleet-doctor-sim-")));
  const exec = opts.exec ?? "bash";
  const startFaults = opts.faults ?? {};
  let scenario: S = await factory
    .resolve(typeof opts.scenario === "string" ? specFor(opts.scenario) : { scenario: opts.scenario })
    .catch(async (e) => {
      if (ownSandbox) await rm(root, { recursive: true, force: true });
      throw e;
    });
  let current: Generation | undefined;
  /** Empty fleets for the accounts and regions a multi-account scenario has none in, made on first use. */
  let empties = new Map<string, { fleet: Fleet; store: CommandStore }>();
  let generation = 0;
  const generations: string[] = [];
  let swapping: Promise<void> = Promise.resolve();
  let baseUrl = "";
  let closed = false;

  const notReady = () => new AwsError("ServiceUnavailable", "The simulator is starting.", 503);

  const entryOf = (account: string, region: string, f: Fleet): Entry => ({
    account,
    region,
    fleet: f,
    store: new CommandStore(f, { invisibleMs: opts.invisibleMs }),
  });

  async function closeGeneration(g: Generation | undefined, stores: { store: CommandStore }[] = []): Promise<void> {
    if (!g) return;
    g.homeStore.close();
    for (const e of [...g.members, ...stores]) e.store.close();
    await Promise.all([g.home, ...g.members.map((m) => m.fleet)].map((f) => bounded(f.close())));
  }

  async function build(next: S): Promise<void> {
    const dir = path.join(root, `fleet-${++generation}`);
    const ttl = opts.snapshotTtlMs ?? 1000;
    const layout = factory.layout?.(next);
    const made: Fleet[] = [];
    const members: Entry[] = [];
    try {
      made.push(await factory.create(next, { exec, sandboxRoot: dir, baseUrl, maxProcesses: opts.maxProcesses }));
      for (const m of layout?.members ?? []) {
        // Its own sandbox folder and host URLs (/_fleet/<account>/<region>/_hosts/<id>): ids may repeat across fleets.
        const f = await factory.create(m.scenario, {
          exec,
          sandboxRoot: path.join(dir, `${m.account}-${m.region}`),
          baseUrl: `${baseUrl}/_fleet/${m.account}/${m.region}`,
          maxProcesses: opts.maxProcesses,
        });
        made.push(f);
        members.push(entryOf(m.account, m.region, withSnapshots(f, ttl)));
      }
    } catch (e) {
      for (const m of members) m.store.close();
      await Promise.all(made.map((f) => bounded(f.close())));
      await rm(dir, { recursive: true, force: true }).catch(() => {});
      throw e;
    }
    const home = withSnapshots(made[0]!, ttl);
    const old = { generation: current, empties: [...empties.values()], dir: generations.at(-1) };
    generations.push(dir);
    current = {
      home,
      homeStore: new CommandStore(home, { invisibleMs: opts.invisibleMs }),
      members,
      directory: layout?.directory,
      dir,
    };
    empties = new Map();
    scenario = next;
    await closeGeneration(old.generation, old.empties);
    if (old.dir) await rm(old.dir, { recursive: true, force: true }).catch(() => {});
  }

  const now = () =>
    current ??
    (() => {
      throw notReady();
    })();
  /** The default account: the option, a multi-account scenario's own account, or the documentation's example. */
  const defaultAccount = () =>
    opts.account ?? (current?.directory?.multi ? current.directory.account : DEFAULT_ACCOUNT);
  const homeRegion = () => current?.directory?.region ?? "us-east-1";

  /** Swaps run one at a time, so two resets in a row do not interleave. */
  const swap = (next: () => Promise<S>) => {
    const run = swapping.then(async () => build((await next()) as S));
    swapping = run.catch(() => {});
    return run;
  };

  const runtime: SimRuntime = {
    get account() {
      return defaultAccount();
    },
    fleet: () => now().home,
    store: () => now().homeStore,
    region: homeRegion,
    at(account, region) {
      const g = now();
      // One fleet answers every account and region unless the scenario has several (as before accounts existed).
      if (!g.directory?.multi) return { fleet: g.home, store: g.homeStore };
      if (account === g.directory.account && region === g.directory.region)
        return { fleet: g.home, store: g.homeStore };
      const member = g.members.find((m) => m.account === account && m.region === region);
      if (member) return member;
      const key = `${account}/${region}`;
      let empty = empties.get(key);
      if (!empty) {
        const f = emptyFleet();
        empty = { fleet: f, store: new CommandStore(f, { invisibleMs: opts.invisibleMs }) };
        // Bounded: a client naming ever new regions must not grow this without end.
        if (empties.size >= 1000) empties.clear();
        empties.set(key, empty);
      }
      return empty;
    },
    fleets() {
      const g = now();
      return [
        { account: g.directory?.multi ? g.directory.account : defaultAccount(), region: homeRegion(), fleet: g.home },
        ...g.members,
      ];
    },
    directory: () => current?.directory,
    sessions: new Sessions(),
    faults: new Faults(startFaults),
    calls: new CallLog(),
    async reset() {
      runtime.calls.clear();
      runtime.faults.set(startFaults);
      await swap(async () => scenario);
    },
    async loadScenario(spec) {
      await swap(() => factory.resolve(spec));
    },
  };

  const server = createSimServer(runtime);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://127.0.0.1:${port}`;

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    await swapping;
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await stopped;
    await closeGeneration(current, [...empties.values()]);
    if (ownSandbox) await rm(root, { recursive: true, force: true }).catch(() => {});
    else for (const dir of generations) await rm(dir, { recursive: true, force: true }).catch(() => {});
  }

  try {
    await swap(async () => scenario);
  } catch (e) {
    await close();
    throw e;
  }
  return { url: baseUrl, port, close };
}

/** The fleet with hosts() and groups() memoised for `ttlMs`; the fleet's own mutations drop the memo. */
export function withSnapshots(fleet: Fleet, ttlMs: number): Fleet {
  if (ttlMs <= 0) return fleet;
  let hosts: { at: number; value: ReturnType<Fleet["hosts"]> } | undefined;
  let groups: { at: number; value: ReturnType<Fleet["groups"]> } | undefined;
  const fresh = (c: { at: number } | undefined) => c !== undefined && performance.now() - c.at < ttlMs;
  const drop = () => {
    hosts = undefined;
    groups = undefined;
  };
  return {
    hosts() {
      if (!fresh(hosts)) hosts = { at: performance.now(), value: fleet.hosts() };
      return hosts!.value;
    },
    groups() {
      if (!fresh(groups)) groups = { at: performance.now(), value: fleet.groups() };
      return groups!.value;
    },
    host: (id) => fleet.host(id),
    membership: (id) => fleet.membership(id),
    // ECS reads the agents, which scripts change: never memoised.
    clusters: () => fleet.clusters(),
    containerInstances: () => fleet.containerInstances(),
    attach(group, ids) {
      drop();
      try {
        fleet.attach(group, ids);
      } finally {
        drop();
      }
    },
    detach(group, ids, decrement) {
      drop();
      try {
        fleet.detach(group, ids, decrement);
      } finally {
        drop();
      }
    },
    // Launches and moves made through the simulator drop the memo; the schedules' may lag by up to ttlMs.
    scaling: fleet.scaling && {
      ...fleet.scaling,
      launch(group, count, into) {
        drop();
        try {
          return fleet.scaling!.launch(group, count, into);
        } finally {
          drop();
        }
      },
      moveToInService(group, count) {
        drop();
        try {
          return fleet.scaling!.moveToInService(group, count);
        } finally {
          drop();
        }
      },
    },
    // Scripts change a host's agent and service, which neither listing shows, so runs keep the memo.
    run: (id, commands, options) => fleet.run(id, commands, options),
    timing: (id) => fleet.timing(id),
    describe: (id) => fleet.describe(id),
    handle: (req, res) => fleet.handle(req, res),
    close: () => fleet.close(),
  };
}

/** Waits for a fleet to close, but not forever: a stuck host must not keep the sandbox from being removed. */
async function bounded(p: Promise<void> | undefined, ms = 5_000): Promise<void> {
  if (!p) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      console.error(`[sim] the fleet did not close within ${ms} ms; going on`);
      resolve();
    }, ms);
  });
  await Promise.race([p.catch((e) => console.error("[sim] closing the fleet failed:", e)), timeout]);
  clearTimeout(timer);
}

/** "demo" is a name; anything with a slash or a .json ending is a path. */
function specFor(nameOrPath: string): ScenarioSpec {
  return /[\\/]|\.json$/i.test(nameOrPath) ? { path: nameOrPath } : { name: nameOrPath };
}

/** The real fleet (sim/fleet): scenarios by name from sim/scenarios/, by path, or inline (validated). */
export const realFleet: FleetFactory<Scenario> = {
  async resolve(spec) {
    if (spec.name !== undefined) return loadScenario(spec.name);
    if (spec.path !== undefined) return loadScenario(spec.path);
    return parseScenario(spec.scenario, "scenario");
  },
  create: (scenario, opts) => createFleet(scenario, opts),
  layout: (scenario) => ({ directory: directoryOf(scenario), members: memberScenarios(scenario) }),
};

export function startSimulator(opts: SimulatorOptions<Scenario>): Promise<Simulator> {
  return createSimulator(opts, realFleet);
}

/**
 * `npx tsx sim/main.ts [--port P] [--scenario NAME|PATH] [--exec bash|model] [--account ID]`: the simulator alone,
 * until SIGINT/SIGTERM (`fleet-doctor sim` has every flag; this is the same start without the CLI).
 */
async function runAsScript(argv: string[]): Promise<void> {
  const { parseArgs } = await import("node:util");
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string" },
      scenario: { type: "string" },
      exec: { type: "string" },
      account: { type: "string" },
    },
    strict: true,
  });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: '${values.port}' is not a port`);
  if (values.exec !== undefined && values.exec !== "bash" && values.exec !== "model")
    throw new Error(`--exec: '${values.exec}' is not bash or model`);
  if (values.account !== undefined && !/^\d{12}$/.test(values.account))
    throw new Error(`--account: '${values.account}' is not a 12-digit account id`);
  const sim = await startSimulator({
    port,
    scenario: values.scenario ?? "demo",
    exec: values.exec as "bash" | "model" | undefined,
    account: values.account,
  });
  console.log(`listening on ${sim.url}`);
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.once(signal, () => {
      sim.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  runAsScript(process.argv.slice(2)).catch((e) => {
    console.error(`sim: ${(e as Error).message}`);
    process.exit(2);
  });
}
