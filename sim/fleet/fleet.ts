/**
 * createFleet: the hosts of a scenario, their groups, and the Fleet interface the simulator's server uses.
 */
import { mkdirSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import net, { type Socket } from "node:net";
import pLimit from "p-limit";
import {
  type ContainerInstanceInfo,
  type ExecResult,
  type Fleet,
  FleetError,
  type GroupInfo,
  type HostInfo,
  type HostTiming,
  type RunOptions,
} from "../fleet-types.ts";
import { checkSizes, Ec2State } from "./ec2-state.ts";
import { runBash } from "./exec-bash.ts";
import { type FleetContext, Host } from "./host.ts";
import { handleHostRequest, serveAgent } from "./host-http.ts";
import { createRefreshes } from "./instance-refresh.ts";
import { parseScenario } from "./load-scenario.ts";
import { renderProbe } from "./model-probe.ts";
import { hashString } from "./random.ts";
import { createScaling, type GroupState } from "./scale-out.ts";
import type { Scenario } from "./scenario-schema.ts";
import { hangUntilKilled, noexecResult } from "./script-faults.ts";

export type FleetOptions = {
  /** `bash` runs every script for real; `model` renders the probe in-process (other scripts still run in bash). */
  exec: "bash" | "model";
  /** Where the hosts' folders go (`<sandboxRoot>/<instance id>/`). */
  sandboxRoot: string;
  /** The simulator's own URL (`http://127.0.0.1:<port>`), which serves Fleet.handle under /_hosts/. */
  baseUrl: string;
  /** How many bash processes may run at once (default 8). */
  maxProcesses?: number;
};

/** The line by which model mode recognises the probe script (lib/probe/probe.sh, 2nd line). */
export const PROBE_MARKER = "# fleet-doctor-probe schema=1";

export async function createFleet(scenarioIn: Scenario, opts: FleetOptions): Promise<Fleet> {
  const scenario = parseScenario(scenarioIn, scenarioIn?.name ?? "scenario");
  const createdAt = Date.now();
  mkdirSync(opts.sandboxRoot, { recursive: true });
  const groupSpecs = new Map(scenario.groups.map((g) => [g.name, g]));
  const ctx: FleetContext = {
    region: scenario.region,
    accountId: scenario.accountId,
    timing: scenario.timing,
    createdAt,
    baseUrl: opts.baseUrl.replace(/\/+$/, ""),
    sandboxRoot: opts.sandboxRoot,
    availabilityZones: (g) =>
      (g && groupSpecs.get(g)?.availabilityZones) || [
        `${scenario.region}a`,
        `${scenario.region}b`,
        `${scenario.region}c`,
      ],
    instanceTypeOf: (g) => (g && groupSpecs.get(g)?.instanceType) || "m5.large",
  };
  // Hold one port on 127.0.0.1 so nothing else gets it: each host's introspection listens on that port at its own
  // loopback address, 127.10.x.y, only while its agent is registered.
  const anchor = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    anchor.once("error", reject);
    anchor.listen(0, "127.0.0.1", () => resolve());
  });
  anchor.unref();
  const agentPort = (anchor.address() as net.AddressInfo).port;
  ctx.agentAddress = (h) => {
    const j = h.index;
    if (j >= 250 * 250 * 200) return undefined;
    return { ip: `127.${10 + Math.floor(j / 62500)}.${Math.floor(j / 250) % 250}.${(j % 250) + 1}`, port: agentPort };
  };
  ctx.serveAgent = serveAgent;
  const hosts = new Map<string, Host>();
  for (const spec of scenario.hosts) {
    // A host replays its past on first use (sync, run, describe, its endpoints), so huge fleets load at once.
    const host = new Host(spec, ctx);
    host.index = hosts.size;
    hosts.set(spec.id, host);
    if (opts.exec === "bash") host.materialize();
  }
  const ec2 = new Ec2State(scenario, scenario.region, scenario.accountId, createdAt);
  const groups = new Map<string, GroupState>();
  for (const g of scenario.groups) {
    const members = [...hosts.values()].filter((h) => {
      const m = h.membership(createdAt);
      return m && m.group === g.name && !m.inWarmPool;
    }).length;
    const desiredCapacity = g.desiredCapacity ?? members;
    groups.set(g.name, {
      spec: g,
      arn: `arn:aws:autoscaling:${scenario.region}:${scenario.accountId}:autoScalingGroup:${uuidFrom(g.name)}:autoScalingGroupName/${g.name}`,
      desiredCapacity,
      maxSize: Math.max(g.maxSize, desiredCapacity),
      createdAt: createdAt - g.createdAgo * 1000,
      launches: 0,
      minSize: g.minSize,
      source: ec2.sourceOf(g),
      refreshes: [],
    });
  }
  // The scenario's members were launched from their group's template at the version it names at load.
  for (const h of hosts.values()) {
    const source = h.spec.group && groups.get(h.spec.group.name)?.source;
    if (!source || source.kind === "launch-configuration") continue;
    const v = ec2.resolveVersion({ id: source.template.id }, source.template.version);
    h.launchTemplate = { id: v.templateId, name: v.templateName, version: String(v.versionNumber) };
  }
  const scaling = createScaling({ ctx, hosts, groups, materialize: opts.exec === "bash", ec2 });
  const refreshes = createRefreshes({
    hosts,
    groups,
    replace: (name, ids) => scaling.replace(name, ids),
    setSource: (name, source) => {
      groups.get(name)!.source = ec2.checkSource(source);
    },
    defaultWarmupSeconds: scenario.timing.bootSeconds + scenario.timing.publishDelaySeconds,
  });
  const limit = pLimit(opts.maxProcesses ?? 8);
  const held = new Set<Socket>();
  let closed = false;

  const need = (id: string): Host => {
    const h = hosts.get(id);
    if (!h) throw new FleetError("InvalidInstanceId", `unknown instance ${id}`);
    return h;
  };
  const needGroup = (name: string): GroupState => {
    const g = groups.get(name);
    if (!g)
      throw new FleetError("ValidationError", `AutoScalingGroup name not found - AutoScalingGroup '${name}' not found`);
    return g;
  };

  const info = (h: Host): HostInfo => {
    const now = Date.now();
    const ssm = h.spec.ssm;
    const online = ssm.pingStatus === "Online";
    // A launched host's SSM agent registers as the instance boots: until then SSM does not know it (as if stopped).
    const bootedAt = h.launched ? h.launchedAt + scenario.timing.bootSeconds * 1000 : Number.NEGATIVE_INFINITY;
    const lastPingAt = online
      ? new Date(Math.max(bootedAt, now - (hashString(`${h.id}/ping`) % 240_000)))
      : new Date(createdAt - (ssm.lastPingAgo ?? Math.min(h.spec.launchedAgo, 3 * 3600)) * 1000);
    const m = h.membership(now);
    const tags: Record<string, string> = { ...h.spec.tags };
    if (h.spec.name) tags.Name = h.spec.name;
    if (m) tags["aws:autoscaling:groupName"] = m.group;
    return {
      instanceId: h.id,
      pingStatus: ssm.pingStatus,
      lastPingAt,
      ssmAgentVersion: ssm.agentVersion,
      platformType: "Linux",
      platformName: "Amazon Linux",
      platformVersion: h.spec.os === "al2023" ? "2023" : "2",
      computerName: `ip-${h.privateIp.replaceAll(".", "-")}.${scenario.region === "us-east-1" ? "ec2.internal" : `${scenario.region}.compute.internal`}`,
      ipAddress: h.privateIp,
      tags,
      stopped: h.spec.stopped || now < bootedAt || h.terminatedAt !== undefined,
      whenOffline: ssm.whenOffline,
    };
  };

  const fleet: Fleet = {
    // A terminated instance is gone from SSM's list (and from the group, and from ECS).
    hosts: () => [...hosts.values()].filter((h) => h.terminatedAt === undefined).map(info),
    host: (id) => {
      const h = hosts.get(id);
      return h ? info(h) : undefined;
    },
    groups: () => {
      const now = Date.now();
      return [...groups.values()].map((g): GroupInfo => {
        const members = [...hosts.values()].filter((h) => h.membership(now)?.group === g.spec.name);
        const lc = g.source?.kind === "launch-configuration" ? g.source.name : undefined;
        const inst = (h: Host) => ({ ...h.groupInstance(now)!, launchConfigurationName: lc });
        const warm = members.filter((h) => h.membership(now)!.inWarmPool);
        return {
          name: g.spec.name,
          arn: g.arn,
          launch: g.source,
          minSize: g.minSize,
          maxSize: g.maxSize,
          desiredCapacity: g.desiredCapacity,
          availabilityZones: g.spec.availabilityZones,
          createdAt: new Date(g.createdAt),
          tags: g.spec.tags,
          instances: members.filter((h) => !h.membership(now)!.inWarmPool).map(inst),
          warmPool: g.spec.warmPool
            ? {
                poolState: g.spec.warmPool.poolState,
                minSize: g.spec.warmPool.minSize,
                maxGroupPreparedCapacity: g.spec.warmPool.maxGroupPreparedCapacity,
                instances: warm.map(inst),
              }
            : undefined,
        };
      });
    },
    membership: (id) => hosts.get(id)?.membership(Date.now()),
    clusters: () => {
      const names = new Set<string>();
      for (const h of hosts.values()) {
        // A cluster-not-found host names a cluster that does not exist: it makes none.
        if (!h.hasEcs || h.spec.failure === "cluster-not-found" || h.terminatedAt !== undefined) continue;
        h.sync();
        names.add(h.agent.cluster ?? ((h.effectiveConfig().get("ECS_CLUSTER") ?? "").trim() || "default"));
      }
      return [...names]
        .sort()
        .map((name) => ({ name, arn: `arn:aws:ecs:${scenario.region}:${scenario.accountId}:cluster/${name}` }));
    },
    containerInstances: () => {
      const out: ContainerInstanceInfo[] = [];
      for (const h of hosts.values()) {
        if (h.terminatedAt !== undefined) continue;
        h.sync();
        const a = h.agent;
        const answer = a.introspection();
        if (!answer || a.registeredAt === undefined || !a.runningVersion) continue;
        out.push({
          instanceId: h.id,
          cluster: answer.Cluster,
          containerInstanceArn: answer.ContainerInstanceArn,
          agentConnected: a.acsConnected,
          agentVersion: a.runningVersion,
          registeredAt: new Date(a.registeredAt),
        });
      }
      return out;
    },
    attach: (groupName, ids) => {
      const g = needGroup(groupName);
      const now = Date.now();
      for (const id of ids) {
        const h = hosts.get(id);
        if (!h) throw new FleetError("ValidationError", `The instance ID '${id}' does not exist`);
        if (h.spec.stopped) throw new FleetError("ValidationError", `Instance ${id} is not in correct state`);
        const m = h.membership(now);
        if (m)
          throw new FleetError(
            "ValidationError",
            `The instance ${id} is already part of Auto Scaling group ${m.group}`,
          );
      }
      if (g.desiredCapacity + ids.length > g.maxSize) {
        throw new FleetError(
          "ValidationError",
          `New SetDesiredCapacity value ${g.desiredCapacity + ids.length} is above max value ${g.maxSize} for the AutoScalingGroup.`,
        );
      }
      for (const id of ids) need(id).attach(groupName, now);
      g.desiredCapacity += ids.length;
    },
    detach: (groupName, ids, decrement) => {
      const g = needGroup(groupName);
      const now = Date.now();
      for (const id of ids) {
        const m = hosts.get(id)?.membership(now);
        if (!m || m.group !== groupName)
          throw new FleetError("ValidationError", `The instance ${id} is not part of Auto Scaling group ${groupName}.`);
        if (m.inWarmPool)
          throw new FleetError(
            "ValidationError",
            `The instance ${id} is in the warm pool of ${groupName} and cannot be detached.`,
          );
      }
      for (const id of ids) need(id).detach(now);
      if (decrement) g.desiredCapacity = Math.max(g.minSize, g.desiredCapacity - ids.length);
    },
    run: (id, commands, options: RunOptions): Promise<ExecResult> => {
      const h = need(id);
      if (closed) return Promise.reject(new FleetError("Closed", "the fleet is closed"));
      // The SSM agent cannot exec any script there: nothing runs, in either mode.
      if (h.spec.scripts === "noexec") return Promise.resolve(noexecResult(h));
      if (opts.exec === "model" && commands[1] === PROBE_MARKER) {
        // What the probe does in bash on a stalled volume: blocks on a read until executionTimeout.
        if (h.spec.scripts === "hang") return hangUntilKilled(options);
        const rendered = renderProbe(h, commands);
        if (rendered) return Promise.resolve(rendered);
      }
      return limit(() => runBash(h, commands, options));
    },
    timing: (id): HostTiming => {
      const h = need(id);
      const { min, max } = scenario.timing.deliveryMs;
      const spread = Math.max(0, max - min);
      return { deliveryMs: h.spec.latencyMs ?? min + (spread ? hashString(`${id}/latency`) % (spread + 1) : 0) };
    },
    describe: (id) => {
      const h = hosts.get(id);
      if (!h) return undefined;
      const now = h.sync();
      const a = h.agent;
      const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
      return {
        instanceId: h.id,
        name: h.spec.name,
        expect: h.spec.expect,
        note: h.spec.note,
        agentVersion: h.spec.agentVersion,
        os: h.spec.os,
        instanceType: h.instanceType,
        availabilityZone: h.availabilityZone,
        privateIp: h.privateIp,
        launchedAt: iso(h.launchedAt),
        imageId: h.amiId,
        launchTemplate: h.launchTemplate,
        terminatedAt: iso(h.terminatedAt),
        // For "time from InService to healthy": when the group published InService, and (agent) when it registered.
        inServiceAt: iso(h.inServiceAt(now)),
        launchedBy: h.launched
          ? { group: h.launched.group, sequence: h.launched.sequence, into: h.launched.into }
          : undefined,
        stopped: h.spec.stopped,
        imds: h.spec.imds,
        failure: h.spec.failure,
        ssm: h.spec.ssm,
        membership: h.membership(now),
        targetLifecycleState: h.lifecycleAt(now) ?? null,
        stints: h.stints.map((s) => ({
          group: s.group,
          state: s.state,
          joinedAt: iso(s.joinedAt),
          publishedAt: iso(s.publishedAt),
          leftAt: iso(s.leftAt),
        })),
        service: {
          ...h.service,
          execMainStartAt: iso(h.service.execMainStartAt),
          execMainExitAt: iso(h.service.execMainExitAt),
          activeEnterAt: iso(h.service.activeEnterAt),
          activeExitAt: iso(h.service.activeExitAt),
          inactiveEnterAt: iso(h.service.inactiveEnterAt),
          inactiveExitAt: iso(h.service.inactiveExitAt),
          stateChangeAt: iso(h.service.stateChangeAt),
        },
        agent: {
          phase: a.phase,
          runningVersion: a.runningVersion,
          checkEnabled: a.checkEnabled,
          cluster: a.cluster,
          containerInstanceArn: a.containerInstanceArn,
          registeredAt: iso(a.registeredAt),
          startedAt: iso(a.startedAt),
          lastExit: a.lastExit ? { code: a.lastExit.code, at: iso(a.lastExit.at) } : undefined,
        },
        ecsConfig: h.etcConfig,
        instanceEcsConfig: h.varLibConfig,
        sandbox: h.sandbox,
        logFiles: [...h.agentLog.files(), ...h.initLog.files()].map((f) => f.name),
      };
    },
    handle: (req: IncomingMessage, res: ServerResponse) =>
      handleHostRequest(req, res, { host: (id) => hosts.get(id), held }),
    scaling,
    ec2: {
      account: scenario.accountId,
      region: scenario.region,
      templates: () => ec2.templateList(),
      template: (ref) => ec2.template(ref),
      versions: (id) => ec2.versions(id),
      createVersion: (ref, o) => ec2.createVersion(ref, o),
      setDefaultVersion: (ref, v) => ec2.setDefaultVersion(ref, v),
      images: () => ec2.imageList(),
      parameters: () => ec2.parameters(),
      launchConfigurations: () => ec2.launchConfigurationList(),
      updateGroup(name, u) {
        const g = needGroup(name);
        const source = u.launch ? ec2.checkSource(u.launch) : undefined;
        const sizes = checkSizes(u, g);
        if (source) g.source = source;
        g.minSize = sizes.minSize;
        g.maxSize = sizes.maxSize;
        // A new desired capacity launches (or, below the members, simply lowers the target: the simulator does not scale in).
        const grow = sizes.desiredCapacity - g.desiredCapacity;
        if (grow > 0) scaling.launch(name, grow, "in-service");
        else g.desiredCapacity = sizes.desiredCapacity;
      },
      startInstanceRefresh: (name, o) => refreshes.start(name, o),
      instanceRefreshes: (name) => refreshes.list(name),
    },
    close: async () => {
      closed = true;
      scaling.stop();
      refreshes.stop();
      for (const h of hosts.values()) h.close();
      anchor.close();
      for (const s of held) s.destroy();
      held.clear();
      limit.clearQueue();
    },
  };
  scaling.start();
  return fleet;
}

function uuidFrom(s: string): string {
  const h = (n: number) => hashString(`${s}/${n}`).toString(16).padStart(8, "0");
  const x = h(1) + h(2) + h(3) + h(4);
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-4${x.slice(13, 16)}-a${x.slice(17, 20)}-${x.slice(20, 32)}`;
}
