/**
 * The kinds of host a realistic fleet holds, each with the verdict the design expects for it. The generator mixes
 * them by weight; sim/scenarios/demo.json was first written from them, plus a few hand-made edge cases.
 */
import type { Rng } from "./random.ts";
import type { ExpectedVerdict, ScenarioInput } from "./scenario-schema.ts";

export type HostInput = ScenarioInput["hosts"][number];
export type GroupNames = { service: string[]; warm: string[] };
export type ArchetypeFn = (r: Rng, id: string, groups: GroupNames) => HostInput;

const AFFECTED = ["1.89.3", "1.90.0", "1.91.0"];
const FIXED = ["1.91.1", "1.91.2", "1.93.1", "1.94.0", "1.97.1", "1.99.0", "1.101.2", "1.102.0", "1.110.0"];

const ago = (minutes: number) =>
  minutes >= 120 ? `${Math.round(minutes / 60)}h` : `${Math.max(1, Math.round(minutes))}m`;

function base(r: Rng, id: string, expect: ExpectedVerdict, version: string, launchedMinutes: number): HostInput {
  return {
    id,
    agentVersion: version,
    os: r.next() < 0.8 ? "al2023" : "al2",
    launchedAgo: ago(launchedMinutes),
    expect,
  };
}

function config(cluster: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ECS_CLUSTER: cluster, ...extra };
}

const checkOn = (cluster: string, r: Rng, extra: Record<string, string> = {}) =>
  config(cluster, {
    ECS_WARM_POOLS_CHECK: "true",
    ...(r.next() < 0.3 ? { ECS_ENABLE_SPOT_INSTANCE_DRAINING: "true" } : {}),
    ...(r.next() < 0.2 ? { ECS_LOGLEVEL: "debug" } : {}),
    ...extra,
  });

const clusterOf = (group: string) => `prod-${group.replace(/^asg-/, "").replace(/-\d+$/, "")}`;

export const ARCHETYPES = {
  /** In a group, InService from launch, registered. Affected or not: the group published InService in time. */
  healthyInGroup: (r, id, g) => {
    const group = r.pick(g.service);
    const version = r.next() < 0.3 ? r.pick(AFFECTED) : r.pick(FIXED);
    return {
      ...base(r, id, "healthy", version, r.int(30, 14 * 24 * 60)),
      ecsConfig: checkOn(clusterOf(group), r),
      group: { name: group },
      name: `${group}-${id.slice(-4)}`,
    };
  },
  /** Standalone with the check off (the right config for a host outside any group). */
  healthyStandalone: (r, id) => ({
    ...base(r, id, "healthy", r.next() < 0.4 ? r.pick(AFFECTED) : r.pick(FIXED), r.int(60, 30 * 24 * 60)),
    ecsConfig: config("prod-tools", r.next() < 0.5 ? { ECS_WARM_POOLS_CHECK: "false" } : {}),
    name: `tools-${id.slice(-4)}`,
  }),
  /** Affected agent, booted standalone, failed on the 404; attached to a group since: a restart will work. */
  lifecycleReady: (r, id, g) => {
    const group = r.pick(g.service);
    const launched = r.int(40, 24 * 60);
    return {
      ...base(r, id, "lifecycle-404:ready", r.pick(AFFECTED), launched),
      ecsConfig: checkOn(clusterOf(group), r),
      group: { name: group, joinedAgo: ago(r.int(5, launched - 10)) },
      name: `${group}-${id.slice(-4)}`,
    };
  },
  /** Affected agent, standalone, failed on the 404 and still in no group: a restart fails again. */
  lifecycleBlocked: (r, id) => ({
    ...base(r, id, "lifecycle-404:blocked", r.pick(AFFECTED), r.int(10, 3 * 24 * 60)),
    ecsConfig: checkOn("prod-web", r),
    name: `standalone-${id.slice(-4)}`,
  }),
  /** Affected agent failed on the 404, then moved into a warm pool: IMDS now says Warmed:*. */
  lifecycleWarmed: (r, id, g) => {
    const group = r.pick(g.warm);
    const launched = r.int(60, 2 * 24 * 60);
    return {
      ...base(r, id, "lifecycle-404:warmed", r.pick(AFFECTED), launched),
      ecsConfig: checkOn(clusterOf(group), r),
      group: { name: group, state: "Warmed:Running", joinedAgo: ago(r.int(5, launched - 10)) },
      name: `${group}-warm-${id.slice(-4)}`,
    };
  },
  /** Registered with the check off; the file now turns it on; no group, affected version: the next start fails. */
  atRisk: (r, id) => {
    const cluster = "prod-web";
    return {
      ...base(r, id, "at-risk", r.pick(AFFECTED), r.int(2 * 60, 20 * 24 * 60)),
      ecsConfig: checkOn(cluster, r),
      configAtStart: config(cluster),
      name: `standalone-${id.slice(-4)}`,
      note: "ecs.config gained ECS_WARM_POOLS_CHECK=true after the agent started",
    };
  },
  /** Launched by a group (registered), detached since, affected version, check on. */
  atRiskDetached: (r, id, g) => {
    const group = r.pick(g.service);
    const launched = r.int(3 * 60, 10 * 24 * 60);
    return {
      ...base(r, id, "at-risk", r.pick(AFFECTED), launched),
      ecsConfig: checkOn(clusterOf(group), r),
      group: { name: group, detachedAgo: ago(r.int(30, launched - 60)) },
      name: `detached-${id.slice(-4)}`,
    };
  },
  /** A fixed agent, standalone with the check on: polls the 404 (up to two hours). */
  waitingFixed: (r, id) => ({
    ...base(r, id, "waiting", r.pick(FIXED), r.int(3, 40)),
    ecsConfig: checkOn("prod-web", r),
    name: `standalone-${id.slice(-4)}`,
  }),
  /** In a warm pool from launch: any agent version waits for InService. */
  waitingWarm: (r, id, g) => {
    const group = r.pick(g.warm);
    return {
      ...base(r, id, "waiting", r.next() < 0.3 ? r.pick(AFFECTED) : r.pick(FIXED), r.int(10, 3 * 24 * 60)),
      ecsConfig: checkOn(clusterOf(group), r),
      group: { name: group, state: "Warmed:Running" },
      name: `${group}-warm-${id.slice(-4)}`,
    };
  },
  /** The SSM agent lost its connection: no probe can be delivered. */
  offline: (r, id) => ({
    ...base(r, id, "ssm-unreachable", r.pick([...AFFECTED, ...FIXED]), r.int(60, 10 * 24 * 60)),
    ecsConfig: config("prod-web"),
    ssm: {
      pingStatus: "ConnectionLost",
      whenOffline: r.next() < 0.5 ? "undeliverable" : "delivery-timeout",
      lastPingAgo: ago(r.int(20, 600)),
    },
    name: `lost-${id.slice(-4)}`,
  }),
  /** IMDS turned off (or unreachable): the probe cannot read metadata; the agent cannot infer its region. */
  imdsOff: (r, id) => ({
    ...base(r, id, "imds-unreachable", r.pick(FIXED), r.int(20, 600)),
    ecsConfig: config("prod-web"),
    imds: r.next() < 0.5 ? "hang" : "refuse",
    name: `no-imds-${id.slice(-4)}`,
  }),
  /** Another startup failure. */
  agentFailed: (r, id, g) => {
    const failure = r.pick(["credentials", "docker", "registration", "state-mismatch", "cgroups"] as const);
    const group = r.pick(g.service);
    return {
      ...base(r, id, "agent-failed", r.pick(FIXED), r.int(15, 8 * 60)),
      ecsConfig: checkOn(clusterOf(group), r),
      group: { name: group },
      failure,
      name: `${group}-${id.slice(-4)}`,
    };
  },
} satisfies Record<string, ArchetypeFn>;

export type Archetype = keyof typeof ARCHETYPES;

/** A realistic mix: mostly healthy, a tail of every failure. */
export const FLEET_MIX: [Archetype, number][] = [
  ["healthyInGroup", 48],
  ["healthyStandalone", 8],
  ["lifecycleReady", 6],
  ["lifecycleBlocked", 5],
  ["lifecycleWarmed", 3],
  ["atRisk", 3],
  ["atRiskDetached", 2],
  ["waitingFixed", 3],
  ["waitingWarm", 5],
  ["offline", 8],
  ["imdsOff", 2],
  ["agentFailed", 7],
];
