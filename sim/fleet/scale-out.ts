/**
 * Groups that grow while the simulator runs: launches with the group's launch spec (into the warm pool or straight
 * to InService) and warm-pool moves to InService, by hand (the /_sim/ calls) or on the scenario's schedules.
 *
 * A launched host is an ordinary Host (created cheaply, booted on first use like the scenario's), whose group
 * publishes its target lifecycle state only `publishDelaySeconds` after launch: an affected agent with the check on
 * asks before that, gets the 404 and dies, as it does on a real scale-out. Ids are a hash of the group's name and
 * the launch's sequence number, so a scenario launches the same instances every run.
 */
import {
  FleetError,
  type FleetScaling,
  type GroupLaunchSource,
  type InstanceRefreshInfo,
  type LaunchInto,
} from "../fleet-types.ts";
import type { Ec2State } from "./ec2-state.ts";
import { goParseBool, parseEcsConfig } from "./ecs-config.ts";
import { type FleetContext, Host } from "./host.ts";
import { hashString } from "./random.ts";
import { hostSchema, launchSchema, type ScenarioGroup, type ScenarioHost } from "./scenario-schema.ts";
import { isAffected } from "./versions.ts";

export type GroupState = {
  spec: ScenarioGroup;
  arn: string;
  desiredCapacity: number;
  maxSize: number;
  createdAt: number;
  /** Launches so far (the next launch is number launches + 1). */
  launches: number;
  minSize: number;
  /** What the group launches from (launch template, configuration or mixed policy); the scenario's `launch` alone when absent. */
  source?: GroupLaunchSource;
  refreshes: InstanceRefreshInfo[];
};

type ScheduleState = { done: number; nextAt?: number; timer?: NodeJS.Timeout };

export type ScalingDeps = {
  ctx: FleetContext;
  hosts: Map<string, Host>;
  groups: Map<string, GroupState>;
  /** Bash mode: a launched host gets its sandbox at once, like the scenario's hosts. */
  materialize: boolean;
  /** EC2 of the fleet: launch templates and images, for groups that launch from them. */
  ec2?: Ec2State;
};

/** `i-0` and 16 hex digits from the group's name and the launch number (`salt` moves it off a taken id). */
export function launchId(group: string, sequence: number, salt = 0): string {
  const h = (n: number) => hashString(`${group}/${sequence}/${salt}/${n}`).toString(16).padStart(8, "0");
  return `i-0${h(1)}${h(2)}`;
}

export function createScaling(
  deps: ScalingDeps,
): FleetScaling & { start(): void; stop(): void; replace(name: string, ids: string[]): string[] } {
  const { ctx, hosts, groups } = deps;
  // Parsed once per group: every launch copies it (a 10,000-host fleet must still load at once).
  const templates = new Map<string, ScenarioHost>();
  const launches = new Map<string, ScheduleState>();
  const moves = new Map<string, ScheduleState>();
  let paused = false;
  let stopped = false;

  const need = (name: string): GroupState => {
    const g = groups.get(name);
    if (!g) throw new FleetError("NotFound", `No group '${name}'.`);
    return g;
  };
  const publishDelayMs = (g: GroupState) =>
    (g.spec.launch?.publishDelaySeconds ?? ctx.timing.publishDelaySeconds) * 1000;

  const template = (g: GroupState): ScenarioHost => {
    let t = templates.get(g.spec.name);
    if (!t) {
      const l = g.spec.launch ?? launchSchema.parse({});
      t = hostSchema.parse({
        id: "i-00000000000000000",
        launchedAgo: 0,
        agentVersion: l.agentVersion,
        os: l.os,
        ami: l.ami,
        arch: l.arch,
        instanceType: l.instanceType,
        ecsConfig: l.ecsConfig,
        instanceEcsConfig: l.instanceEcsConfig,
        imds: l.imds,
        latencyMs: l.latencyMs,
        tags: l.tags,
        expect: l.expect,
        note: `launched by ${g.spec.name}`,
      });
      templates.set(g.spec.name, t);
    }
    return t;
  };

  const members = (name: string, now: number) => [...hosts.values()].filter((h) => h.membership(now)?.group === name);

  /** How many more instances the warm pool takes: (maxGroupPreparedCapacity or maxSize) - desired, at least minSize. */
  const warmRoom = (g: GroupState, now: number): number => {
    const pool = g.spec.warmPool;
    if (!pool) return 0;
    const prepared =
      pool.maxGroupPreparedCapacity !== undefined && pool.maxGroupPreparedCapacity >= 0
        ? pool.maxGroupPreparedCapacity
        : g.maxSize;
    const size = Math.max(pool.minSize, prepared - g.desiredCapacity);
    const warm = members(g.spec.name, now).filter((h) => h.membership(now)!.inWarmPool).length;
    return Math.max(0, size - warm);
  };

  function launch(name: string, count: number, into: LaunchInto, partial: boolean): string[] {
    const g = need(name);
    const now = Date.now();
    if (into === "warm-pool" && !g.spec.warmPool)
      throw new FleetError("ValidationError", `Group '${name}' has no warm pool.`);
    const room = into === "warm-pool" ? warmRoom(g, now) : Math.max(0, g.maxSize - g.desiredCapacity);
    if (!partial && count > room)
      throw new FleetError(
        "ValidationError",
        into === "warm-pool"
          ? `count ${count} is more than the warm pool of '${name}' takes now (${room}).`
          : `count ${count} would take the desired capacity of '${name}' to ${g.desiredCapacity + count}, above its maxSize ${g.maxSize}.`,
      );
    const n = Math.min(count, room);
    const ids = spawn(g, n, into, now);
    if (into === "in-service") g.desiredCapacity += n;
    return ids;
  }

  /**
   * The host spec of launch number `sequence`: the scenario's `launch` settings, and, for a group with a launch
   * source, the image's agent and OS and the ecs.config its user data writes, at the version the group names now.
   */
  function launchSpec(g: GroupState, sequence: number, into: LaunchInto) {
    const base = template(g);
    if (!g.source || !deps.ec2) return { spec: base, launchTemplate: undefined };
    const r = deps.ec2.resolveLaunch(g.source, sequence);
    const agentVersion = r.image.agentVersion ?? base.agentVersion;
    const ecs = r.image.agentVersion !== undefined;
    const spec: ScenarioHost = {
      ...base,
      agentVersion,
      os: r.image.os,
      ami: ecs ? "ecs-optimized" : "plain",
      arch: r.image.arch === "arm64" ? "aarch64" : "x86_64",
      imageId: r.image.id,
      instanceType: r.instanceType ?? base.instanceType,
      ecsConfig: r.ecsConfig,
      instanceEcsConfig: r.instanceEcsConfig,
      imds: r.httpTokens === "optional" ? "optional" : r.httpTokens === "required" ? "required" : base.imds,
    };
    if (base.expect !== undefined) {
      // The scenario asked for expectations: what this launch will do follows from its image and user data.
      const check = goParseBool(parseEcsConfig(r.instanceEcsConfig, r.ecsConfig).get("ECS_WARM_POOLS_CHECK") ?? "");
      const dies =
        isAffected(agentVersion) && check === true && publishDelayMs(g) > (ctx.timing.bootSeconds + 2) * 1000;
      spec.expect = !ecs
        ? "unknown"
        : dies
          ? into === "warm-pool"
            ? "lifecycle-404:warmed"
            : "lifecycle-404:ready"
          : "healthy";
    }
    return { spec, launchTemplate: r.launchTemplate };
  }

  /** Creates `n` hosts launched by `g` now (the caller adjusts the desired capacity). */
  function spawn(g: GroupState, n: number, into: LaunchInto, now: number): string[] {
    const name = g.spec.name;
    const state = into === "warm-pool" ? `Warmed:${g.spec.warmPool!.poolState}` : "InService";
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const sequence = g.launches + 1;
      // Resolved before the launch counts: a launch that cannot resolve (no such image) launches nothing.
      const { spec: base, launchTemplate } = launchSpec(g, sequence, into);
      g.launches = sequence;
      let id = launchId(name, sequence);
      for (let salt = 1; hosts.has(id); salt++) id = launchId(name, sequence, salt);
      const spec: ScenarioHost = {
        ...base,
        id,
        name: `${name}-launch-${sequence}`,
        group: { name, state: state as NonNullable<ScenarioHost["group"]>["state"] },
      };
      const host = new Host(spec, ctx, { group: name, sequence, into, at: now, publishDelayMs: publishDelayMs(g) });
      host.index = hosts.size;
      host.launchTemplate = launchTemplate;
      hosts.set(id, host);
      if (deps.materialize) host.materialize();
      ids.push(id);
    }
    return ids;
  }

  /** Terminates these members and launches as many replacements from the group's current source (instance refresh). */
  function replace(name: string, ids: string[]): string[] {
    const g = need(name);
    const now = Date.now();
    for (const id of ids) hosts.get(id)?.terminate(now);
    return spawn(g, ids.length, "in-service", now);
  }

  function move(name: string, count: number, partial: boolean): string[] {
    const g = need(name);
    if (!g.spec.warmPool) throw new FleetError("ValidationError", `Group '${name}' has no warm pool.`);
    const now = Date.now();
    // Only warmed instances (their Warmed:* state published) move; oldest first, as they were launched.
    const ready = members(name, now).filter((h) => {
      const m = h.membership(now)!;
      return m.inWarmPool && m.lifecycleState !== "Warmed:Pending";
    });
    const room = Math.max(0, g.maxSize - g.desiredCapacity);
    if (!partial) {
      if (count > ready.length)
        throw new FleetError(
          "ValidationError",
          `count ${count} is more than the warmed instances in the warm pool of '${name}' (${ready.length}).`,
        );
      if (count > room)
        throw new FleetError(
          "ValidationError",
          `count ${count} would take the desired capacity of '${name}' to ${g.desiredCapacity + count}, above its maxSize ${g.maxSize}.`,
        );
    }
    const moving = ready.slice(0, Math.min(count, room));
    for (const h of moving) h.moveToInService(now, publishDelayMs(g));
    g.desiredCapacity += moving.length;
    return moving.map((h) => h.id);
  }

  type Plan = { every: number; count: number; max?: number; startAfter?: number };
  function arm(states: Map<string, ScheduleState>, name: string, plan: Plan, delayS: number, act: () => number) {
    const st = states.get(name) ?? { done: 0 };
    states.set(name, st);
    if (st.timer) clearTimeout(st.timer);
    st.timer = undefined;
    st.nextAt = undefined;
    if (stopped || paused || (plan.max !== undefined && st.done >= plan.max)) return;
    st.nextAt = Date.now() + delayS * 1000;
    st.timer = setTimeout(() => {
      st.timer = undefined;
      if (stopped || paused) return;
      try {
        st.done += act();
      } catch (e) {
        console.error(`[sim] schedule of group ${name} failed:`, e);
      }
      arm(states, name, plan, plan.every, act);
    }, delayS * 1000);
    st.timer.unref();
  }

  function armAll(first: boolean) {
    for (const g of groups.values()) {
      const name = g.spec.name;
      const so = g.spec.scaleOut;
      if (so) {
        const left = () => (so.max === undefined ? so.count : Math.min(so.count, so.max - launches.get(name)!.done));
        arm(
          launches,
          name,
          so,
          first ? (so.startAfter ?? so.every) : so.every,
          () => launch(name, left(), so.into, true).length,
        );
      }
      const mv = g.spec.moveToInService;
      if (mv) {
        const left = () => (mv.max === undefined ? mv.count : Math.min(mv.count, mv.max - moves.get(name)!.done));
        arm(moves, name, mv, first ? (mv.startAfter ?? mv.every) : mv.every, () => move(name, left(), true).length);
      }
    }
  }

  function clearAll() {
    for (const st of [...launches.values(), ...moves.values()]) {
      if (st.timer) clearTimeout(st.timer);
      st.timer = undefined;
      st.nextAt = undefined;
    }
  }

  const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
  const schedule = (plan: Plan | undefined, st: ScheduleState | undefined, extra: Record<string, unknown> = {}) =>
    plan
      ? {
          every: plan.every,
          count: plan.count,
          max: plan.max ?? null,
          startAfter: plan.startAfter ?? plan.every,
          ...extra,
          done: st?.done ?? 0,
          nextAt: iso(st?.nextAt),
        }
      : null;

  return {
    launch: (name, count, into) => launch(name, count, into, false),
    replace,
    moveToInService: (name, count) => move(name, count, false),
    paused: () => paused,
    setPaused(p) {
      if (p === paused) return;
      paused = p;
      if (p) clearAll();
      else armAll(false);
    },
    describeGroups() {
      const now = Date.now();
      return [...groups.values()].map((g) => {
        const name = g.spec.name;
        let t: ScenarioHost;
        let next: Record<string, unknown> = {};
        try {
          const r = launchSpec(g, g.launches + 1, "in-service");
          t = r.spec;
          next = { imageId: t.imageId, launchTemplate: r.launchTemplate, source: g.source };
        } catch (e) {
          t = template(g);
          next = { error: (e as Error).message, source: g.source };
        }
        return {
          name,
          minSize: g.minSize,
          maxSize: g.maxSize,
          desiredCapacity: g.desiredCapacity,
          warmPool: g.spec.warmPool ?? null,
          launch: {
            agentVersion: t.agentVersion,
            os: t.os,
            ami: t.ami,
            ecsConfig: t.ecsConfig,
            publishDelaySeconds: publishDelayMs(g) / 1000,
            ...next,
          },
          launches: g.launches,
          scaleOut: schedule(g.spec.scaleOut, launches.get(name), { into: g.spec.scaleOut?.into }),
          moveToInService: schedule(g.spec.moveToInService, moves.get(name)),
          instances: members(name, now).map((h) => {
            h.sync();
            const m = h.membership(now)!;
            const s = h.currentStint()!;
            return {
              instanceId: h.id,
              lifecycleState: m.lifecycleState,
              inWarmPool: m.inWarmPool,
              launchedAt: iso(h.launchedAt),
              launchedBy: h.launched ? { sequence: h.launched.sequence, into: h.launched.into } : null,
              joinedAt: iso(s.joinedAt),
              publishedAt: iso(s.publishedAt),
              inServiceAt: iso(h.inServiceAt(now)),
              agentPhase: h.agent.phase,
              registeredAt: iso(h.agent.registeredAt),
            };
          }),
        };
      });
    },
    start: () => armAll(true),
    stop() {
      stopped = true;
      clearAll();
    },
  };
}
