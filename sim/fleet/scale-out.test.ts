/**
 * Groups that scale out while the simulator runs (issue 18, part 4): launched instances with the group's launch
 * spec, the publication delay that kills an affected agent on the 404, warm pools filled and moved to InService, the
 * scenario's schedules, and the shipped restart script healing a launched host once InService is published.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { launchId } from "./scale-out.ts";
import type { ScenarioInput } from "./scenario-schema.ts";
import { startFleet, type TestFleet } from "./test-helpers.ts";

const CHECK_ON = { ECS_CLUSTER: "prod", ECS_WARM_POOLS_CHECK: "true" };
/**
 * The agent asks IMDS bootSeconds + 2 s after launch and dies 0.5 s later; the group publishes 6 s after launch: the
 * 404 comes first, with seconds to spare on a loaded machine.
 */
const TIMING = { publishDelaySeconds: 6, bootSeconds: 0.5, lifecycleFailureSeconds: 0.5, pollSeconds: 0.5 };

const scenario = (extra: Partial<ScenarioInput> = {}): ScenarioInput => ({
  name: "scale",
  timing: TIMING,
  groups: [
    { name: "web", maxSize: 3, launch: { agentVersion: "1.89.3", ecsConfig: CHECK_ON } },
    { name: "api", launch: { agentVersion: "1.91.1", ecsConfig: CHECK_ON } },
    {
      name: "batch",
      maxSize: 10,
      warmPool: { poolState: "Stopped", minSize: 0, maxGroupPreparedCapacity: 4 },
      launch: { agentVersion: "1.91.0", ecsConfig: CHECK_ON },
    },
  ],
  hosts: [],
  ...extra,
});

type Described = {
  membership?: { group: string; lifecycleState: string; inWarmPool: boolean };
  launchedAt: string;
  inServiceAt?: string;
  launchedBy?: { group: string; sequence: number; into: string };
  agent: { phase: string; registeredAt?: string; lastExit?: { code: number } };
  ecsConfig: string;
  agentVersion: string;
};

let t: TestFleet | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const describeHost = (id: string) => t!.fleet.describe(id) as Described;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Polls (bounded) until `ok` holds. */
async function until(ok: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await sleep(100);
  }
}

describe("launching at runtime", () => {
  it("launches into InService with the group's spec: Pending, the affected agent dies on the 404, then InService", async () => {
    t = await startFleet(scenario());
    const s = t.fleet.scaling!;
    const ids = s.launch("web", 2, "in-service");
    expect(ids).toEqual([launchId("web", 1), launchId("web", 2)]);
    for (const id of ids) expect(id).toMatch(/^i-[0-9a-f]{17}$/);
    const web = () => t!.fleet.groups().find((g) => g.name === "web")!;
    expect(web().desiredCapacity).toBe(2);
    expect(web().instances.map((i) => [i.instanceId, i.lifecycleState])).toEqual(ids.map((id) => [id, "Pending"]));
    const first = describeHost(ids[0]!);
    expect(first.agentVersion).toBe("1.89.3");
    expect(first.ecsConfig).toBe("ECS_CLUSTER=prod\nECS_WARM_POOLS_CHECK=true\n");
    expect(first.launchedBy).toEqual({ group: "web", sequence: 1, into: "in-service" });
    expect(first.inServiceAt).toBeUndefined();
    // SSM knows it once it has booted (its SSM agent registers then): Online, tagged with its group.
    expect(t.fleet.host(ids[0]!)!.stopped).toBe(true);
    await until(() => t!.fleet.host(ids[0]!)!.stopped === false);
    expect(Date.now() - Date.parse(first.launchedAt)).toBeGreaterThanOrEqual(500);
    expect(t.fleet.host(ids[0]!)).toMatchObject({ pingStatus: "Online" });
    expect(t.fleet.host(ids[0]!)!.lastPingAt.getTime()).toBeGreaterThanOrEqual(Date.parse(first.launchedAt) + 500);
    expect(t.fleet.host(ids[0]!)!.tags["aws:autoscaling:groupName"]).toBe("web");

    await until(() => describeHost(ids[0]!).agent.phase === "exited");
    expect(describeHost(ids[0]!).agent.lastExit?.code).toBe(5);
    expect(t.fleet.membership(ids[0]!)!.lifecycleState).toBe("Pending");
    await until(() => t!.fleet.membership(ids[0]!)!.lifecycleState === "InService");
    const after = describeHost(ids[0]!);
    expect(Date.parse(after.inServiceAt!) - Date.parse(after.launchedAt)).toBe(6000);
    expect(after.agent.phase).toBe("exited");
    expect(t.fleet.containerInstances().map((c) => c.instanceId)).not.toContain(ids[0]);
    const log = await t.fleet.run(ids[0]!, ['cat "$FLEET_DOCTOR_ROOT/var/log/ecs/ecs-agent.log"'], {
      executionTimeoutSeconds: 10,
    });
    expect(log.stdout).toMatch(/level=critical .*Could not determine target lifecycle of instance: .*StatusCode: 404/);
  });

  it("respects maxSize: a launch beyond it is refused and changes nothing", async () => {
    t = await startFleet(scenario());
    const s = t.fleet.scaling!;
    expect(() => s.launch("web", 4, "in-service")).toThrow(
      "count 4 would take the desired capacity of 'web' to 4, above its maxSize 3.",
    );
    expect(s.launch("web", 3, "in-service")).toHaveLength(3);
    expect(() => s.launch("web", 1, "in-service")).toThrow(/above its maxSize 3/);
    expect(() => s.launch("nope", 1, "in-service")).toThrow("No group 'nope'.");
    expect(() => s.launch("web", 1, "warm-pool")).toThrow("Group 'web' has no warm pool.");
    expect(t.fleet.hosts()).toHaveLength(3);
  });

  it("a fixed agent waits for InService and registers; ECS lists it", async () => {
    t = await startFleet(scenario());
    const [id] = t.fleet.scaling!.launch("api", 1, "in-service");
    await until(() => describeHost(id!).agent.phase === "registered");
    const d = describeHost(id!);
    expect(Date.parse(d.agent.registeredAt!)).toBeGreaterThanOrEqual(Date.parse(d.inServiceAt!));
    expect(t.fleet.containerInstances().find((c) => c.instanceId === id)).toMatchObject({
      cluster: "prod",
      agentVersion: "1.91.1",
    });
  });

  it("ids are the same every run and never collide with the scenario's hosts", async () => {
    const taken = launchId("web", 1);
    t = await startFleet(scenario({ hosts: [{ id: taken, agentVersion: "1.91.1", launchedAgo: "1h" }] }));
    const [id] = t.fleet.scaling!.launch("web", 1, "in-service");
    expect(id).not.toBe(taken);
    expect(id).toBe(launchId("web", 1, 1));
  });
});

describe("warm pools", () => {
  it("fills the pool (Warmed:Pending, then the pool's state), up to maxGroupPreparedCapacity, and moves to InService", async () => {
    t = await startFleet(scenario());
    const s = t.fleet.scaling!;
    expect(() => s.launch("batch", 5, "warm-pool")).toThrow(
      "count 5 is more than the warm pool of 'batch' takes now (4).",
    );
    const ids = s.launch("batch", 2, "warm-pool");
    const batch = () => t!.fleet.groups().find((g) => g.name === "batch")!;
    expect(batch().desiredCapacity).toBe(0);
    expect(batch().instances).toEqual([]);
    expect(batch().warmPool!.instances.map((i) => i.lifecycleState)).toEqual(["Warmed:Pending", "Warmed:Pending"]);
    // Nothing is warmed yet: nothing to move.
    expect(() => s.moveToInService("batch", 1)).toThrow(
      "count 1 is more than the warmed instances in the warm pool of 'batch' (0).",
    );
    // The affected agent asked before the pool published its state: the warm-pool 404.
    await until(() => describeHost(ids[0]!).agent.phase === "exited");
    await until(() => batch().warmPool!.instances.every((i) => i.lifecycleState === "Warmed:Stopped"));

    expect(s.moveToInService("batch", 1)).toEqual([ids[0]]);
    expect(batch().desiredCapacity).toBe(1);
    expect(batch().instances.map((i) => [i.instanceId, i.lifecycleState])).toEqual([[ids[0], "Pending"]]);
    expect(batch().warmPool!.instances.map((i) => i.instanceId)).toEqual([ids[1]]);
    await until(() => t!.fleet.membership(ids[0]!)!.lifecycleState === "InService");
    const d = describeHost(ids[0]!);
    expect(d.inServiceAt).toBeDefined();
    expect(d.agent.phase).toBe("exited");
  });

  it("a fixed agent that saw Warmed:* keeps waiting through the move (no 404 in between) and registers", async () => {
    t = await startFleet(
      scenario({
        timing: { ...TIMING, publishDelaySeconds: 1 },
        groups: [
          {
            name: "batch",
            warmPool: { poolState: "Running" },
            launch: { agentVersion: "1.91.1", ecsConfig: CHECK_ON },
          },
        ],
      }),
    );
    const s = t.fleet.scaling!;
    const [id] = s.launch("batch", 1, "warm-pool");
    await until(() => t!.fleet.membership(id!)!.lifecycleState === "Warmed:Running");
    await sleep(3000);
    expect(describeHost(id!).agent.phase).toBe("waiting-lifecycle");
    s.moveToInService("batch", 1);
    await until(() => describeHost(id!).agent.phase === "registered");
    expect(describeHost(id!).agent.lastExit).toBeUndefined();
  });
});

describe("schedules", () => {
  it("launch on the scenario's schedule up to its max, pause and resume, and stop when the fleet closes", async () => {
    t = await startFleet(
      scenario({
        groups: [
          {
            name: "web",
            launch: { agentVersion: "1.89.3", ecsConfig: CHECK_ON },
            scaleOut: { every: 0.3, count: 2, max: 5, startAfter: 0.1 },
          },
          {
            name: "batch",
            warmPool: { poolState: "Running" },
            launch: { agentVersion: "1.91.0", ecsConfig: CHECK_ON },
            scaleOut: { every: 0.2, count: 1, into: "warm-pool", max: 3 },
            moveToInService: { every: 0.5, count: 1, startAfter: 1 },
          },
        ],
        timing: { ...TIMING, publishDelaySeconds: 0.3 },
      }),
    );
    const s = t.fleet.scaling!;
    type Schedule = { every: number; count: number; max: number | null; done: number; nextAt: string | null };
    type View = {
      launches: number;
      desiredCapacity: number;
      scaleOut: Schedule & { into: string };
      moveToInService: Schedule;
      instances: { launchedBy: { into: string }; lifecycleState: string }[];
    };
    const group = (name: string) => s.describeGroups().find((g) => g.name === name) as unknown as View;
    await until(() => group("web").launches === 5 && group("batch").moveToInService.done === 3);
    expect(group("web").desiredCapacity).toBe(5);
    expect(group("web").scaleOut).toMatchObject({ every: 0.3, count: 2, max: 5, into: "in-service", done: 5 });
    expect(group("web").scaleOut.nextAt).toBeNull();
    expect(group("batch").desiredCapacity).toBe(3);
    const inst = group("batch").instances;
    expect(inst.every((i) => i.launchedBy.into === "warm-pool")).toBe(true);

    s.setPaused(true);
    expect(group("batch").moveToInService.nextAt).toBeNull();
    const before = t.fleet.hosts().length;
    s.setPaused(false);
    expect(group("batch").moveToInService.nextAt).not.toBeNull();
    await t.fleet.close();
    await sleep(800);
    expect(t.fleet.hosts().length).toBe(before);
    expect(group("batch").moveToInService.nextAt).toBeNull();
  });

  it("pausing stops launches until resumed", async () => {
    t = await startFleet(
      scenario({
        groups: [{ name: "web", launch: { agentVersion: "1.91.1" }, scaleOut: { every: 0.2, count: 1 } }],
      }),
    );
    const s = t.fleet.scaling!;
    s.setPaused(true);
    const n = t.fleet.hosts().length;
    await sleep(700);
    expect(t.fleet.hosts().length).toBe(n);
    s.setPaused(false);
    await until(() => t!.fleet.hosts().length > n + 1);
  });
});

describe("the shipped restart script", () => {
  it("heals a launched host that died on the 404 once its group has published InService", async () => {
    t = await startFleet(scenario(), { exec: "bash" });
    const [id] = t.fleet.scaling!.launch("web", 1, "in-service");
    await until(() => describeHost(id!).agent.phase === "exited");
    await until(() => describeHost(id!).inServiceAt !== undefined);
    const script = readFileSync(path.resolve(import.meta.dirname, "../../lib/probe/restart.sh"), "utf8")
      .replace(/\n$/, "")
      .split("\n");
    expect(script.slice(1, 4)).toEqual([
      "# fleet-doctor-restart schema=1 mode=restart",
      "FD_MODE=restart",
      "FD_WAIT=90",
    ]);
    script[3] = "FD_WAIT=20";
    const r = await t.fleet.run(id!, script, { executionTimeoutSeconds: 60 });
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { outcome: string; containerInstanceArn: string };
    expect(report.outcome).toBe("registered");
    expect(describeHost(id!).agent.phase).toBe("registered");
    expect(t.fleet.containerInstances().find((c) => c.instanceId === id)?.containerInstanceArn).toBe(
      report.containerInstanceArn,
    );
  });
});
