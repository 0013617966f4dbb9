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
import { type FaultSettings, Faults } from "./faults.ts";
import { createFleet, loadScenario, parseScenario, type Scenario } from "./fleet/index.ts";
import type { Fleet } from "./fleet-types.ts";
import { CallLog } from "./protocol/calls.ts";
import { AwsError } from "./protocol/errors.ts";
import { createSimServer, type SimRuntime } from "./server.ts";
import { CommandStore } from "./ssm/invocations.ts";
import { DEFAULT_ACCOUNT } from "./sts/get-caller-identity.ts";

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
  /** The AWS account STS GetCallerIdentity answers (default 123456789012): a second simulator is another fleet. */
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
};

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
  let fleet: Fleet | undefined;
  let store: CommandStore | undefined;
  let generation = 0;
  const generations: string[] = [];
  let swapping: Promise<void> = Promise.resolve();
  let baseUrl = "";
  let closed = false;

  const notReady = () => new AwsError("ServiceUnavailable", "The simulator is starting.", 503);

  async function build(next: S): Promise<void> {
    const dir = path.join(root, `fleet-${++generation}`);
    const created = await factory.create(next, { exec, sandboxRoot: dir, baseUrl, maxProcesses: opts.maxProcesses });
    const newFleet = withSnapshots(created, opts.snapshotTtlMs ?? 1000);
    const old = { fleet, store, dir: generations.at(-1) };
    generations.push(dir);
    fleet = newFleet;
    store = new CommandStore(newFleet, { invisibleMs: opts.invisibleMs });
    scenario = next;
    old.store?.close();
    await bounded(old.fleet?.close());
    if (old.dir) await rm(old.dir, { recursive: true, force: true }).catch(() => {});
  }

  /** Swaps run one at a time, so two resets in a row do not interleave. */
  const swap = (next: () => Promise<S>) => {
    const run = swapping.then(async () => build((await next()) as S));
    swapping = run.catch(() => {});
    return run;
  };

  const runtime: SimRuntime = {
    account: opts.account ?? DEFAULT_ACCOUNT,
    fleet: () =>
      fleet ??
      (() => {
        throw notReady();
      })(),
    store: () =>
      store ??
      (() => {
        throw notReady();
      })(),
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
    store?.close();
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await stopped;
    await bounded(fleet?.close());
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
    // A group's new launch source or size, and a refresh's replacements, show in the listings at once.
    ec2: fleet.ec2 && {
      ...fleet.ec2,
      updateGroup(group, update) {
        drop();
        try {
          fleet.ec2!.updateGroup(group, update);
        } finally {
          drop();
        }
      },
      startInstanceRefresh(group, o) {
        drop();
        return fleet.ec2!.startInstanceRefresh(group, o);
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
};

export function startSimulator(opts: SimulatorOptions<Scenario>): Promise<Simulator> {
  return createSimulator(opts, realFleet);
}
