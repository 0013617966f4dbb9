/**
 * Scale-out through the simulator's wire (issue 18, part 4): the /_sim/ calls that launch, move and pause, checked
 * with the real SDK clients (Auto Scaling, SSM Run Command, ECS) and the real AWS CLI as the instances go from
 * Pending to InService and from Warmed:Pending to the pool's state.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  DescribeWarmPoolCommand,
} from "@aws-sdk/client-auto-scaling";
import { ECSClient, ListContainerInstancesCommand } from "@aws-sdk/client-ecs";
import {
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  type GetCommandInvocationCommandOutput,
  SendCommandCommand,
  SSMClient,
} from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCli } from "../test/helpers/aws-cli.ts";
import { parseScenario, type ScenarioInput } from "./fleet/index.ts";
import { type Simulator, startSimulator } from "./main.ts";

const CHECK_ON = { ECS_CLUSTER: "prod", ECS_WARM_POOLS_CHECK: "true" };
const SCENARIO: ScenarioInput = {
  name: "scale-wire",
  // Boot 2 s (SSM lists a launch only then), the agent asks 2 s later and dies, InService is published at 6 s.
  timing: { publishDelaySeconds: 6, bootSeconds: 2, lifecycleFailureSeconds: 0.5, pollSeconds: 0.5 },
  groups: [
    { name: "web", maxSize: 6, launch: { agentVersion: "1.89.3", ecsConfig: CHECK_ON, latencyMs: 20 } },
    { name: "api", launch: { agentVersion: "1.91.1", ecsConfig: CHECK_ON, latencyMs: 20 } },
    {
      name: "batch",
      warmPool: { poolState: "Running", minSize: 2 },
      launch: { agentVersion: "1.90.0", ecsConfig: CHECK_ON, latencyMs: 20 },
      // Far off: only there to show that a reset restarts the schedules.
      scaleOut: { every: "1h", into: "warm-pool" },
    },
  ],
  hosts: [{ id: "i-0123456789abcdef0", agentVersion: "1.91.1", launchedAgo: "1h", group: { name: "web" } }],
};

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
let sim: Simulator;
let asg: AutoScalingClient;
let ssm: SSMClient;
let ecs: ECSClient;
const aws = awsCli(() => sim.url);

beforeAll(async () => {
  sim = await startSimulator({ scenario: parseScenario(SCENARIO), exec: "bash", snapshotTtlMs: 0, invisibleMs: 50 });
  const cfg = { endpoint: sim.url, region: "us-east-1", credentials, maxAttempts: 1 };
  asg = new AutoScalingClient(cfg);
  ssm = new SSMClient(cfg);
  ecs = new ECSClient(cfg);
}, 60_000);
afterAll(async () => {
  asg?.destroy();
  ssm?.destroy();
  ecs?.destroy();
  await sim?.close();
});

type HostView = {
  instanceId: string;
  launchedAt: string;
  inServiceAt?: string;
  agent: { phase: string; registeredAt?: string; containerInstanceArn?: string };
};
type GroupView = {
  name: string;
  desiredCapacity: number;
  scaleOut: { nextAt: string | null } | null;
  instances: {
    instanceId: string;
    lifecycleState: string;
    launchedBy: { sequence: number; into: string } | null;
    joinedAt: string;
    inServiceAt: string | null;
  }[];
};
/** The control API's answers, as the tests read them. */
type Json = {
  paused?: boolean;
  groups?: GroupView[];
  launched?: HostView[];
  moved?: HostView[];
} & Partial<HostView>;
type CliRow = { InstanceId: string; LifecycleState: string };
async function control(method: string, p: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${sim.url}/_sim/${p}`, {
    method,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Json };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(ok: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await sleep(150);
  }
}
const lifecycle = async (id: string) =>
  (await asg.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [id] }))).AutoScalingInstances?.[0]
    ?.LifecycleState;

async function runCommand(id: string, commands: string[]): Promise<GetCommandInvocationCommandOutput> {
  const sent = await ssm.send(
    new SendCommandCommand({
      DocumentName: "AWS-RunShellScript",
      InstanceIds: [id],
      Parameters: { commands, executionTimeout: ["60"] },
    }),
  );
  const CommandId = sent.Command!.CommandId!;
  for (;;) {
    const inv = await ssm
      .send(new GetCommandInvocationCommand({ CommandId, InstanceId: id }))
      .catch((e: { name: string }) => {
        if (e.name === "InvocationDoesNotExist") return undefined;
        throw e;
      });
    if (inv && ["Success", "Failed", "TimedOut", "Cancelled"].includes(inv.Status ?? "")) return inv;
    await sleep(200);
  }
}
const probeFile = (name: string) =>
  readFileSync(path.resolve(import.meta.dirname, "../lib/probe", name), "utf8")
    .replace(/\n$/, "")
    .split("\n");

describe("control calls", () => {
  it.each([
    ["groups/web/launch", { count: 0 }, "count must be an integer from 1 to 100."],
    ["groups/web/launch", { count: "2" }, "count must be an integer from 1 to 100."],
    ["groups/web/launch", { count: 101 }, "count must be an integer from 1 to 100."],
    ["groups/web/launch", { into: "elsewhere" }, 'into must be "in-service" or "warm-pool".'],
    ["groups/web/launch", { count: 1, size: 2 }, "Unknown field 'size' (expected count, into)."],
    ["groups/web/launch", "{", "The request body is not valid JSON."],
    ["groups/web/launch", { count: 7 }, "count 7 would take the desired capacity of 'web' to 8, above its maxSize 6."],
    ["groups/web/launch", { into: "warm-pool" }, "Group 'web' has no warm pool."],
    ["groups/batch/warm-pool/move", { count: 1.5 }, "count must be an integer from 1 to 100."],
    ["groups/web/warm-pool/move", {}, "Group 'web' has no warm pool."],
    ["scale", {}, "paused (true or false) is required."],
    ["scale", { paused: "yes" }, "paused (true or false) is required."],
  ])("POST /_sim/%s %j: 400 naming the field", async (p, body, message) => {
    const r = await control("POST", p, body);
    expect(r).toEqual({ status: 400, body: { __type: expect.any(String), message } });
  });

  it("an unknown group is a 404", async () => {
    const r = await control("POST", "groups/nope/launch", { count: 1 });
    expect(r).toEqual({ status: 404, body: { __type: "NotFound", message: "No group 'nope'." } });
  });

  it("pauses and resumes the schedules; a reset starts them afresh", async () => {
    expect(await control("POST", "scale", { paused: true })).toEqual({ status: 200, body: { paused: true } });
    const g = (await control("GET", "groups")).body;
    expect(g.paused).toBe(true);
    expect(g.groups!.find((x) => x.name === "batch")!.scaleOut!.nextAt).toBeNull();
    expect(await control("POST", "scale", { paused: false })).toEqual({ status: 200, body: { paused: false } });
    expect((await control("GET", "scale")).body).toEqual({ paused: false });
    await control("POST", "scale", { paused: true });
    await control("POST", "reset");
    const after = (await control("GET", "groups")).body;
    expect(after.paused).toBe(false);
    expect(after.groups!.find((x) => x.name === "batch")!.scaleOut!.nextAt).not.toBeNull();
  });
});

describe("a launch, through the SDK and the AWS CLI", () => {
  it("into InService: Pending then InService in Auto Scaling, Online in SSM, dies on the 404, healed by restart.sh", async () => {
    const r = await control("POST", "groups/web/launch", { count: 2 });
    expect(r.status).toBe(200);
    const ids = r.body.launched!.map((h) => h.instanceId);
    expect(ids).toHaveLength(2);
    for (const id of ids) expect(id).toMatch(/^i-[0-9a-f]{17}$/);
    const group = (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["web"] })))
      .AutoScalingGroups![0]!;
    expect(group.DesiredCapacity).toBe(3);
    expect(group.Instances!.filter((i) => ids.includes(i.InstanceId!)).map((i) => i.LifecycleState)).toEqual([
      "Pending",
      "Pending",
    ]);
    // SSM lists them once they have booted (bootSeconds), Online.
    const listed = async () =>
      (await ssm.send(new DescribeInstanceInformationCommand({ MaxResults: 50 }))).InstanceInformationList!.filter(
        (i) => ids.includes(i.InstanceId!),
      );
    expect(await listed()).toEqual([]);
    await until(async () => (await listed()).length === 2);
    expect((await listed()).map((i) => i.PingStatus)).toEqual(["Online", "Online"]);

    // The probe through Run Command while the agent waits and dies.
    const probe = await runCommand(ids[0]!, probeFile("probe.sh"));
    expect(probe.Status).toBe("Success");
    expect(JSON.parse(probe.StandardOutputContent!)).toMatchObject({ schema: 1 });

    await until(async () => (await lifecycle(ids[0]!)) === "InService");
    const described = (await control("GET", `hosts/${ids[0]}`)).body as HostView;
    expect(described.agent.phase).toBe("exited");
    expect(Date.parse(described.inServiceAt!) - Date.parse(described.launchedAt)).toBe(6000);
    expect(described.agent.registeredAt).toBeUndefined();

    const script = probeFile("restart.sh");
    script[3] = "FD_WAIT=20";
    const restart = await runCommand(ids[0]!, script);
    expect(restart.Status, restart.StandardErrorContent).toBe("Success");
    expect(JSON.parse(restart.StandardOutputContent!)).toMatchObject({ outcome: "registered" });
    const healed = (await control("GET", `hosts/${ids[0]}`)).body as HostView;
    expect(Date.parse(healed.agent.registeredAt!)).toBeGreaterThan(Date.parse(healed.inServiceAt!));
    const listedInEcs = await ecs.send(new ListContainerInstancesCommand({ cluster: "prod" }));
    expect(listedInEcs.containerInstanceArns).toContain(healed.agent.containerInstanceArn);

    const cli = await aws("autoscaling", "describe-auto-scaling-groups", "--auto-scaling-group-names", "web");
    expect(cli.code, cli.err).toBe(0);
    const cliGroup = (cli.out.AutoScalingGroups as { DesiredCapacity: number; Instances: CliRow[] }[])[0]!;
    expect(cliGroup.DesiredCapacity).toBe(3);
    expect(cliGroup.Instances.find((i) => i.InstanceId === ids[0])!.LifecycleState).toBe("InService");
    const cliSsm = await aws("ssm", "describe-instance-information");
    expect(cliSsm.code, cliSsm.err).toBe(0);
    expect((cliSsm.out.InstanceInformationList as CliRow[]).map((i) => i.InstanceId)).toEqual(
      expect.arrayContaining(ids),
    );
  }, 60_000);

  it("a fixed agent's launch registers in ECS once InService is published", async () => {
    const [h] = (await control("POST", "groups/api/launch", { count: 1 })).body.launched!;
    await until(async () => (await control("GET", `hosts/${h!.instanceId}`)).body.agent!.phase === "registered");
    const d = (await control("GET", `hosts/${h!.instanceId}`)).body as HostView;
    expect(Date.parse(d.agent.registeredAt!)).toBeGreaterThanOrEqual(Date.parse(d.inServiceAt!));
    const arns = (await ecs.send(new ListContainerInstancesCommand({ cluster: "prod" }))).containerInstanceArns;
    expect(arns).toContain(d.agent.containerInstanceArn);
  }, 30_000);

  it("into the warm pool: Warmed:Pending, Warmed:Running, then moved: Pending, InService", async () => {
    const r = await control("POST", "groups/batch/launch", { count: 2, into: "warm-pool" });
    expect(r.status).toBe(200);
    const ids = r.body.launched!.map((h) => h.instanceId);
    const pool = async () =>
      (await asg.send(new DescribeWarmPoolCommand({ AutoScalingGroupName: "batch" }))).Instances!;
    expect((await pool()).map((i) => [i.InstanceId, i.LifecycleState])).toEqual(
      ids.map((id) => [id, "Warmed:Pending"]),
    );
    await until(async () => (await pool()).every((i) => i.LifecycleState === "Warmed:Running"));
    const cli = await aws("autoscaling", "describe-warm-pool", "--auto-scaling-group-name", "batch");
    expect(cli.code, cli.err).toBe(0);
    expect((cli.out.Instances as CliRow[]).map((i) => i.LifecycleState)).toEqual(["Warmed:Running", "Warmed:Running"]);
    expect(cli.out.WarmPoolConfiguration).toMatchObject({ PoolState: "Running", MinSize: 2 });

    const moved = await control("POST", "groups/batch/warm-pool/move", { count: 1 });
    expect(moved.body.moved!.map((h) => h.instanceId)).toEqual([ids[0]]);
    expect(await lifecycle(ids[0]!)).toBe("Pending");
    expect((await pool()).map((i) => i.InstanceId)).toEqual([ids[1]]);
    await until(async () => (await lifecycle(ids[0]!)) === "InService");
    const batch = (await control("GET", "groups")).body.groups!.find((g) => g.name === "batch")!;
    expect(batch.desiredCapacity).toBe(1);
    const row = batch.instances.find((i) => i.instanceId === ids[0])!;
    expect(row).toMatchObject({ lifecycleState: "InService", launchedBy: { sequence: 1, into: "warm-pool" } });
    expect(Date.parse(row.inServiceAt!) - Date.parse(row.joinedAt)).toBe(6000);
  }, 40_000);
});
