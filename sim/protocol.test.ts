/**
 * Wire-protocol tests of the simulator's server with the real AWS SDK v3 clients, the real AWS CLI and raw HTTP.
 * The fleet here is a small stand-in written in this file (real bash, a few hosts) so the protocol layer is tested
 * on its own; sim.test.ts runs the same clients against the real fleet and the demo scenario.
 */
import { spawn } from "node:child_process";
import {
  AttachInstancesCommand,
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  DescribeWarmPoolCommand,
  DetachInstancesCommand,
} from "@aws-sdk/client-auto-scaling";
import {
  CancelCommandCommand,
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  type GetCommandInvocationCommandOutput,
  ListCommandInvocationsCommand,
  ListCommandsCommand,
  SendCommandCommand,
  SSMClient,
} from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { awsCli } from "../test/helpers/aws-cli.ts";
import type { ScenarioSpec } from "./control.ts";
import type { ExecResult, Fleet, GroupInfo, GroupInstance, HostInfo, RunOptions } from "./fleet-types.ts";
import { FleetError } from "./fleet-types.ts";
import { createSimulator, type Simulator } from "./main.ts";
import { pluginOutput } from "./ssm/output.ts";

type Host = HostInfo & { whenOffline?: "undeliverable" | "delivery-timeout" };

const WEB = "i-0aaaaaaaaaaaaaaa1"; // in group "web", InService
const LONE = "i-0aaaaaaaaaaaaaaa2"; // standalone, online
const LOST = "i-0aaaaaaaaaaaaaaa3"; // ConnectionLost -> Undeliverable
const STOPPED = "i-0aaaaaaaaaaaaaaa4";
const WARM = "i-0aaaaaaaaaaaaaaa6"; // in web's warm pool
const EXTRA = Array.from({ length: 20 }, (_, i) => `i-0bbbbbbbbbbbbbb${String(i).padStart(2, "0")}`);

/** A few hosts and one group with a warm pool; `run` is real bash with a real timeout and cancel. */
function tinyFleet(): Fleet {
  const host = (instanceId: string, extra: Partial<Host> = {}): Host => ({
    instanceId,
    pingStatus: "Online",
    lastPingAt: new Date("2026-11-28T10:00:00Z"),
    ssmAgentVersion: "3.3.1142.0",
    platformType: "Linux",
    platformName: "Amazon Linux",
    platformVersion: "2023",
    computerName: `ip-10-0-0-${instanceId.slice(-2)}.ec2.internal`,
    ipAddress: "10.0.0.1",
    tags: {},
    stopped: false,
    ...extra,
  });
  const hosts = new Map<string, Host>(
    [
      host(WEB, { tags: { env: "prod", role: "web" } }),
      host(LONE, { tags: { env: "prod" } }),
      host(LOST, { pingStatus: "ConnectionLost" }),
      host(STOPPED, { stopped: true }),
      host(WARM, { tags: { role: "web" } }),
      ...EXTRA.map((id) => host(id, { tags: { env: "dev" } })),
    ].map((h) => [h.instanceId, h]),
  );
  const member = (instanceId: string, lifecycleState: string): GroupInstance => ({
    instanceId,
    lifecycleState,
    healthStatus: "Healthy",
    availabilityZone: "us-east-1a",
    protectedFromScaleIn: false,
    instanceType: "m5.large",
    launchTemplate: { id: "lt-0123456789abcdef0", name: "ecs-web", version: "3" },
  });
  const web: GroupInfo = {
    name: "web",
    arn: "arn:aws:autoscaling:us-east-1:000000000000:autoScalingGroup:11111111-2222-3333-4444-555555555555:autoScalingGroupName/web",
    minSize: 0,
    maxSize: 10,
    desiredCapacity: 1,
    availabilityZones: ["us-east-1a"],
    createdAt: new Date("2026-01-01T00:00:00Z"),
    tags: { team: "payments" },
    instances: [member(WEB, "InService")],
    warmPool: { poolState: "Stopped", minSize: 1, instances: [member(WARM, "Warmed:Stopped")] },
  };
  return {
    hosts: () => [...hosts.values()],
    host: (id) => hosts.get(id),
    groups: () => [web],
    clusters: () => [],
    containerInstances: () => [],
    membership(id) {
      const i = web.instances.find((x) => x.instanceId === id);
      if (i) return { group: "web", lifecycleState: i.lifecycleState, inWarmPool: false };
      const w = web.warmPool!.instances.find((x) => x.instanceId === id);
      return w ? { group: "web", lifecycleState: w.lifecycleState, inWarmPool: true } : undefined;
    },
    attach(group, ids) {
      if (group !== "web") throw new FleetError("ValidationError", `AutoScalingGroup name not found - ${group}`);
      for (const id of ids) {
        if (!hosts.has(id)) throw new FleetError("ValidationError", `Instance ${id} is not valid.`);
        web.instances.push(member(id, "InService"));
      }
    },
    detach(_group, ids) {
      web.instances = web.instances.filter((i) => !ids.includes(i.instanceId));
    },
    run(_id: string, commands: string[], opts: RunOptions): Promise<ExecResult> {
      return new Promise((resolve) => {
        const child = spawn("bash", ["-c", commands.join("\n")], { stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        let timedOut = false;
        child.stdout.on("data", (c) => (stdout += c));
        child.stderr.on("data", (c) => (stderr += c));
        const timer = setTimeout(() => {
          timedOut = true;
          child.kill("SIGKILL");
        }, opts.executionTimeoutSeconds * 1000);
        opts.signal?.addEventListener("abort", () => child.kill("SIGKILL"));
        child.on("close", (code) => {
          clearTimeout(timer);
          resolve({ exitCode: code ?? (timedOut ? 124 : 137), stdout, stderr, timedOut });
        });
      });
    },
    timing: () => ({ deliveryMs: 20 }),
    describe: (id) => (hosts.has(id) ? { ...hosts.get(id)!, membership: undefined } : undefined),
    handle: () => false,
    close: async () => {},
  };
}

const factory = {
  resolve: async (_spec: ScenarioSpec) => "tiny",
  create: async () => tinyFleet(),
};

let sim: Simulator;
let ssm: SSMClient;
let asg: AutoScalingClient;
const credentials = { accessKeyId: "test", secretAccessKey: "test" };

beforeAll(async () => {
  sim = await createSimulator({ scenario: "tiny", invisibleMs: 100 }, factory);
  ssm = new SSMClient({ endpoint: sim.url, region: "us-east-1", credentials, maxAttempts: 1 });
  asg = new AutoScalingClient({ endpoint: sim.url, region: "us-east-1", credentials, maxAttempts: 1 });
});
afterAll(async () => {
  ssm?.destroy();
  asg?.destroy();
  await sim?.close();
});
beforeEach(async () => {
  await fetch(`${sim.url}/_sim/reset`, { method: "POST" });
});

async function errorOf(p: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode };
  }
  throw new Error("expected the call to fail");
}

const TERMINAL = ["Success", "Failed", "TimedOut", "Cancelled"];

/** Polls GetCommandInvocation until `until` holds (InvocationDoesNotExist means "not yet"). */
async function waitInvocation(
  commandId: string,
  instanceId: string,
  until: (o: GetCommandInvocationCommandOutput) => boolean = (o) => TERMINAL.includes(o.Status ?? ""),
): Promise<GetCommandInvocationCommandOutput> {
  for (let i = 0; i < 400; i++) {
    try {
      const out = await ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }));
      if (until(out)) return out;
    } catch (e) {
      if ((e as Error).name !== "InvocationDoesNotExist") throw e;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`invocation ${commandId}/${instanceId} never reached the expected state`);
}

async function send(instanceIds: string[], commands: string[], extra: Record<string, unknown> = {}) {
  const out = await ssm.send(
    new SendCommandCommand({
      DocumentName: "AWS-RunShellScript",
      InstanceIds: instanceIds,
      Parameters: { commands },
      ...extra,
    }),
  );
  return out.Command!;
}

describe("SSM over awsJson1_1 (SDK v3)", () => {
  it("DescribeInstanceInformation lists managed, non-stopped hosts with epoch timestamps and pages with NextToken", async () => {
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const out = await ssm.send(new DescribeInstanceInformationCommand({ MaxResults: 5, NextToken: token }));
      expect(out.InstanceInformationList!.length).toBeLessThanOrEqual(5);
      seen.push(...out.InstanceInformationList!.map((i) => i.InstanceId!));
      token = out.NextToken;
    } while (token);
    expect(seen).toHaveLength(24);
    expect(seen).not.toContain(STOPPED);
    const one = await ssm.send(
      new DescribeInstanceInformationCommand({ Filters: [{ Key: "InstanceIds", Values: [LOST] }] }),
    );
    expect(one.InstanceInformationList).toEqual([
      expect.objectContaining({
        InstanceId: LOST,
        PingStatus: "ConnectionLost",
        PlatformType: "Linux",
        ResourceType: "EC2Instance",
      }),
    ]);
    expect(one.InstanceInformationList![0]!.LastPingDateTime).toEqual(new Date("2026-11-28T10:00:00Z"));
  });

  it("DescribeInstanceInformation filters by tag, tag-key and PingStatus, and rejects bad input AWS's way", async () => {
    const tagged = await ssm.send(
      new DescribeInstanceInformationCommand({ Filters: [{ Key: "tag:env", Values: ["prod"] }] }),
    );
    expect(tagged.InstanceInformationList!.map((i) => i.InstanceId).sort()).toEqual([WEB, LONE]);
    const keyed = await ssm.send(
      new DescribeInstanceInformationCommand({ Filters: [{ Key: "tag-key", Values: ["role"] }] }),
    );
    expect(keyed.InstanceInformationList!.map((i) => i.InstanceId).sort()).toEqual([WEB, WARM]);
    const lost = await ssm.send(
      new DescribeInstanceInformationCommand({ Filters: [{ Key: "PingStatus", Values: ["ConnectionLost"] }] }),
    );
    expect(lost.InstanceInformationList!.map((i) => i.InstanceId)).toEqual([LOST]);

    expect(await errorOf(ssm.send(new DescribeInstanceInformationCommand({ MaxResults: 4 })))).toMatchObject({
      name: "ValidationException",
      status: 400,
      message:
        "1 validation error detected: Value '4' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 5",
    });
    expect((await errorOf(ssm.send(new DescribeInstanceInformationCommand({ NextToken: "garbage" })))).name).toBe(
      "InvalidNextToken",
    );
    expect(
      (await errorOf(ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: "Color", Values: ["x"] }] }))))
        .name,
    ).toBe("InvalidFilterKey");
    expect(
      (
        await errorOf(
          ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: "PingStatus", Values: ["Sleepy"] }] })),
        )
      ).name,
    ).toBe("InvalidInstanceInformationFilterValue");
  });

  it("SendCommand runs bash: `echo hi; exit 3` ends Failed with ResponseCode 3 and output hi", async () => {
    const cmd = await send([WEB], ["echo hi", "exit 3"]);
    expect(cmd.CommandId).toHaveLength(36);
    expect(cmd).toMatchObject({
      DocumentName: "AWS-RunShellScript",
      Status: "Pending",
      TargetCount: 1,
      MaxConcurrency: "50",
      MaxErrors: "0",
    });
    expect(cmd.RequestedDateTime).toBeInstanceOf(Date);

    const inv = await waitInvocation(cmd.CommandId!, WEB);
    expect(inv).toMatchObject({
      Status: "Failed",
      StatusDetails: "Failed",
      ResponseCode: 3,
      StandardOutputContent: "hi\n",
      PluginName: "aws:runShellScript",
    });
    expect(inv.ExecutionStartDateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(inv.ExecutionElapsedTime).toMatch(/^PT\d+\.\d{3}S$/);

    const list = await ssm.send(new ListCommandInvocationsCommand({ CommandId: cmd.CommandId, Details: true }));
    expect(list.CommandInvocations).toHaveLength(1);
    const plugin = list.CommandInvocations![0]!.CommandPlugins![0]!;
    expect(plugin).toMatchObject({ Name: "aws:runShellScript", Status: "Failed", ResponseCode: 3, Output: "hi\n" });
    expect(plugin.ResponseFinishDateTime).toBeInstanceOf(Date);
    const bare = await ssm.send(new ListCommandInvocationsCommand({ CommandId: cmd.CommandId }));
    expect(bare.CommandInvocations![0]!.CommandPlugins).toEqual([]);

    const cmds = await ssm.send(new ListCommandsCommand({ CommandId: cmd.CommandId }));
    expect(cmds.Commands![0]).toMatchObject({ Status: "Failed", TargetCount: 1, CompletedCount: 1, ErrorCount: 1 });
  });

  it("GetCommandInvocation answers InvocationDoesNotExist right after SendCommand", async () => {
    // A second simulator whose invocations stay invisible far longer than one call takes, so this cannot race.
    const slow = await createSimulator({ scenario: "tiny", invisibleMs: 60_000 }, factory);
    const client = new SSMClient({ endpoint: slow.url, region: "us-east-1", credentials, maxAttempts: 1 });
    try {
      const out = await client.send(
        new SendCommandCommand({
          DocumentName: "AWS-RunShellScript",
          InstanceIds: [LONE],
          Parameters: { commands: ["true"] },
        }),
      );
      const id = out.Command!.CommandId!;
      expect(
        await errorOf(client.send(new GetCommandInvocationCommand({ CommandId: id, InstanceId: LONE }))),
      ).toMatchObject({
        name: "InvocationDoesNotExist",
        status: 400,
      });
      expect((await client.send(new ListCommandInvocationsCommand({ CommandId: id }))).CommandInvocations).toEqual([]);
    } finally {
      client.destroy();
      await slow.close();
    }
  });

  it("GetCommandInvocation reports ResponseCode -1 until the script ran", async () => {
    const cmd = await send([LONE], ["sleep 0.3", "echo done"]);
    const running = await waitInvocation(cmd.CommandId!, LONE, (o) => o.Status !== "Pending");
    if (running.Status === "InProgress") expect(running.ResponseCode).toBe(-1);
    const done = await waitInvocation(cmd.CommandId!, LONE);
    expect(done).toMatchObject({ Status: "Success", ResponseCode: 0, StandardOutputContent: "done\n" });
    expect(
      (await errorOf(ssm.send(new GetCommandInvocationCommand({ CommandId: cmd.CommandId, InstanceId: WEB })))).name,
    ).toBe("InvocationDoesNotExist");
  });

  it("builds plugin Output and the capped outputs exactly as the agent does", async () => {
    const cmd = await send(
      [WEB],
      [
        "head -c 3000 /dev/zero | tr '\\0' o",
        "head -c 9000 /dev/zero | tr '\\0' e >&2",
        "head -c 30000 /dev/zero | tr '\\0' x",
      ],
    );
    const inv = await waitInvocation(cmd.CommandId!, WEB);
    const stdout = `${"o".repeat(3000)}${"x".repeat(30000)}`;
    const stderr = "e".repeat(9000);
    expect(inv.StandardOutputContent).toHaveLength(24000);
    expect(inv.StandardOutputContent!.endsWith("--output truncated--")).toBe(true);
    expect(inv.StandardErrorContent).toHaveLength(8000);
    const list = await ssm.send(new ListCommandInvocationsCommand({ CommandId: cmd.CommandId, Details: true }));
    const output = list.CommandInvocations![0]!.CommandPlugins![0]!.Output!;
    expect(output).toBe(pluginOutput(stdout, stderr));
    expect(output).toContain("\n---Output truncated---\n----------ERROR-------\neee");
    expect(output.endsWith("\n---Error truncated----")).toBe(true);
  });

  it("Targets by tag reach every matching online host", async () => {
    const out = await ssm.send(
      new SendCommandCommand({
        DocumentName: "AWS-RunShellScript",
        Targets: [{ Key: "tag:env", Values: ["prod"] }],
        Parameters: { commands: ["echo t"] },
      }),
    );
    expect(out.Command!.TargetCount).toBe(2);
    for (const id of [WEB, LONE]) expect((await waitInvocation(out.Command!.CommandId!, id)).Status).toBe("Success");
    const byIds = await ssm.send(
      new SendCommandCommand({
        DocumentName: "AWS-RunShellScript",
        Targets: [{ Key: "InstanceIds", Values: [LONE] }],
        Parameters: { commands: ["true"] },
      }),
    );
    expect(byIds.Command!.TargetCount).toBe(1);
  });

  it("an offline host ends Undeliverable; an executionTimeout kills the script; CancelCommand cancels", async () => {
    const lost = await send([LOST], ["echo never"]);
    expect(await waitInvocation(lost.CommandId!, LOST)).toMatchObject({
      Status: "Failed",
      StatusDetails: "Undeliverable",
      ResponseCode: -1,
    });

    const slow = await send([WEB], ["sleep 20"], { Parameters: { commands: ["sleep 20"], executionTimeout: ["1"] } });
    expect(await waitInvocation(slow.CommandId!, WEB)).toMatchObject({
      Status: "TimedOut",
      StatusDetails: "ExecutionTimedOut",
    });

    const long = await send([LONE], ["sleep 20"]);
    await waitInvocation(long.CommandId!, LONE, (o) => o.Status === "InProgress");
    expect(await ssm.send(new CancelCommandCommand({ CommandId: long.CommandId }))).toBeDefined();
    expect(await waitInvocation(long.CommandId!, LONE)).toMatchObject({ Status: "Cancelled" });
    const cmds = await ssm.send(new ListCommandsCommand({ CommandId: long.CommandId }));
    expect(cmds.Commands![0]!.Status).toBe("Cancelled");
  });

  it("MaxConcurrency 1 runs one host at a time and MaxErrors 0 stops after the first failure", async () => {
    const out = await ssm.send(
      new SendCommandCommand({
        DocumentName: "AWS-RunShellScript",
        InstanceIds: EXTRA.slice(0, 3),
        Parameters: { commands: ["exit 1"] },
        MaxConcurrency: "1",
        MaxErrors: "0",
      }),
    );
    const first = await waitInvocation(out.Command!.CommandId!, EXTRA[0]!);
    expect(first.Status).toBe("Failed");
    const rest = await waitInvocation(out.Command!.CommandId!, EXTRA[2]!);
    expect(rest.Status).toBe("Cancelled");
    const cmd = (await ssm.send(new ListCommandsCommand({ CommandId: out.Command!.CommandId }))).Commands![0]!;
    expect(cmd).toMatchObject({ Status: "Failed", ErrorCount: 1, CompletedCount: 3, TargetCount: 3 });
  });

  it("rejects what SSM rejects, with AWS's codes and message format", async () => {
    const many = Array.from({ length: 51 }, (_, i) => `i-0${String(i).padStart(16, "0")}`);
    const tooMany = await errorOf(send(many, ["true"]));
    expect(tooMany.name).toBe("ValidationException");
    expect(tooMany.message).toMatch(
      /^1 validation error detected: Value '\[i-0.*\]' at 'instanceIds' failed to satisfy constraint: Member must have length less than or equal to 50$/,
    );
    expect(await errorOf(send([WEB], ["true"], { Comment: "c".repeat(101) }))).toMatchObject({
      name: "ValidationException",
      message: `1 validation error detected: Value '${"c".repeat(101)}' at 'comment' failed to satisfy constraint: Member must have length less than or equal to 100`,
    });
    expect((await errorOf(send([WEB], ["true"], { TimeoutSeconds: 29 }))).message).toContain(
      "at 'timeoutSeconds' failed to satisfy constraint: Member must have value greater than or equal to 30",
    );
    expect((await errorOf(send(["i-123"], ["true"]))).message).toContain(
      "Member must satisfy regular expression pattern",
    );
    expect((await errorOf(send([WEB, WEB], ["true"]))).name).toBe("DuplicateInstanceId");
    expect((await errorOf(send(["i-0fffffffffffffff0"], ["true"]))).name).toBe("InvalidInstanceId");
    expect((await errorOf(send([STOPPED], ["true"]))).name).toBe("InvalidInstanceId");
    expect(
      (
        await errorOf(
          ssm.send(
            new SendCommandCommand({
              DocumentName: "AWS-RunPowerShellScript",
              InstanceIds: [WEB],
              Parameters: { commands: ["x"] },
            }),
          ),
        )
      ).name,
    ).toBe("InvalidDocument");
    expect(
      (await errorOf(ssm.send(new SendCommandCommand({ DocumentName: "AWS-RunShellScript", InstanceIds: [WEB] }))))
        .name,
    ).toBe("InvalidParameters");
    expect((await errorOf(send([WEB], ["true"], { MaxConcurrency: "0" }))).name).toBe("ValidationException");
    const bad = await errorOf(
      ssm.send(new ListCommandInvocationsCommand({ CommandId: "00000000-0000-0000-0000-000000000000" })),
    );
    expect(bad.name).toBe("InvalidCommandId");
    expect((await errorOf(ssm.send(new ListCommandInvocationsCommand({ MaxResults: 51 })))).name).toBe(
      "ValidationException",
    );
    expect((await errorOf(ssm.send(new ListCommandsCommand({ NextToken: "nope" })))).name).toBe("InvalidNextToken");
  });
});

describe("Auto Scaling over awsQuery (SDK v3)", () => {
  it("DescribeAutoScalingInstances shows members (warm pool included) and leaves standalone hosts out", async () => {
    const out = await asg.send(
      new DescribeAutoScalingInstancesCommand({ InstanceIds: [WEB, LONE, WARM, "i-0fffffffffffffff0"] }),
    );
    expect(out.AutoScalingInstances!.map((i) => i.InstanceId).sort()).toEqual([WEB, WARM]);
    expect(out.AutoScalingInstances!.find((i) => i.InstanceId === WEB)).toMatchObject({
      AutoScalingGroupName: "web",
      LifecycleState: "InService",
      HealthStatus: "HEALTHY",
      ProtectedFromScaleIn: false,
      LaunchTemplate: { LaunchTemplateId: "lt-0123456789abcdef0", LaunchTemplateName: "ecs-web", Version: "3" },
    });
    const many = Array.from({ length: 51 }, (_, i) => `i-0${String(i).padStart(16, "0")}`);
    const err = await errorOf(asg.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: many })));
    expect(err.name).toBe("ValidationError");
    expect(err.message).toContain(
      "at 'instanceIds' failed to satisfy constraint: Member must have length less than or equal to 50",
    );
    expect((await errorOf(asg.send(new DescribeAutoScalingInstancesCommand({ MaxRecords: 51 })))).name).toBe(
      "ValidationError",
    );
    expect((await errorOf(asg.send(new DescribeAutoScalingInstancesCommand({ NextToken: "x" })))).name).toBe(
      "InvalidNextToken",
    );
  });

  it("DescribeAutoScalingGroups and DescribeWarmPool describe the group and its warm pool", async () => {
    const out = await asg.send(
      new DescribeAutoScalingGroupsCommand({ Filters: [{ Name: "tag:team", Values: ["payments"] }] }),
    );
    expect(out.AutoScalingGroups).toHaveLength(1);
    const g = out.AutoScalingGroups![0]!;
    expect(g).toMatchObject({
      AutoScalingGroupName: "web",
      MinSize: 0,
      MaxSize: 10,
      DesiredCapacity: 1,
      WarmPoolSize: 1,
    });
    expect(g.Instances!.map((i) => i.InstanceId)).toEqual([WEB]);
    expect(g.Instances![0]!.HealthStatus).toBe("Healthy");
    expect(g.WarmPoolConfiguration).toMatchObject({ PoolState: "Stopped", MinSize: 1 });
    expect(g.CreatedTime).toEqual(new Date("2026-01-01T00:00:00Z"));
    const none = await asg.send(
      new DescribeAutoScalingGroupsCommand({ Filters: [{ Name: "tag:team", Values: ["nobody"] }] }),
    );
    expect(none.AutoScalingGroups).toEqual([]);
    const pool = await asg.send(new DescribeWarmPoolCommand({ AutoScalingGroupName: "web" }));
    expect(pool.Instances!.map((i) => [i.InstanceId, i.LifecycleState])).toEqual([[WARM, "Warmed:Stopped"]]);
    expect((await errorOf(asg.send(new DescribeWarmPoolCommand({ AutoScalingGroupName: "nope" })))).name).toBe(
      "ValidationError",
    );
    expect((await errorOf(asg.send(new DescribeAutoScalingGroupsCommand({ MaxRecords: 101 })))).name).toBe(
      "ValidationError",
    );
  });

  it("AttachInstances and DetachInstances change membership", async () => {
    await asg.send(new AttachInstancesCommand({ AutoScalingGroupName: "web", InstanceIds: [LONE] }));
    const after = await asg.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [LONE] }));
    expect(after.AutoScalingInstances![0]).toMatchObject({ InstanceId: LONE, AutoScalingGroupName: "web" });
    const detached = await asg.send(
      new DetachInstancesCommand({
        AutoScalingGroupName: "web",
        InstanceIds: [LONE],
        ShouldDecrementDesiredCapacity: false,
      }),
    );
    expect(detached.Activities![0]).toMatchObject({ AutoScalingGroupName: "web", StatusCode: "InProgress" });
    expect(
      (await asg.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [LONE] }))).AutoScalingInstances,
    ).toEqual([]);
    expect(
      (await errorOf(asg.send(new AttachInstancesCommand({ AutoScalingGroupName: "nope", InstanceIds: [LONE] })))).name,
    ).toBe("ValidationError");
  });
});

describe("faults", () => {
  const setFaults = (f: unknown) => fetch(`${sim.url}/_sim/faults`, { method: "POST", body: JSON.stringify(f) });

  it("throttles per operation with AWS's codes, and answers 5xx at the configured rate", async () => {
    expect(
      (await setFaults({ throttle: { DescribeInstanceInformation: 0, DescribeAutoScalingInstances: 0 } })).status,
    ).toBe(200);
    expect(await errorOf(ssm.send(new DescribeInstanceInformationCommand({})))).toMatchObject({
      name: "ThrottlingException",
      message: "Rate exceeded",
      status: 400,
    });
    expect(await errorOf(asg.send(new DescribeAutoScalingInstancesCommand({})))).toMatchObject({
      name: "Throttling",
      message: "Rate exceeded",
    });
    // Other operations are not throttled.
    await ssm.send(new ListCommandsCommand({}));

    await setFaults({ errorRate: 1, ops: ["ListCommands"] });
    const err = await errorOf(ssm.send(new ListCommandsCommand({})));
    expect(["InternalServerError", "ServiceUnavailable"]).toContain(err.name);
    expect(err.status).toBeGreaterThanOrEqual(500);
    await ssm.send(new DescribeInstanceInformationCommand({}));

    const bad = await setFaults({ errorRate: 2 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain("errorRate");
  });

  it("a rate lets its burst through and throttles the rest", async () => {
    // One token, refilled every 100 s: the first call passes, the next ones are throttled (refill: faults.test.ts).
    await setFaults({ throttle: { ListCommands: 0.01 } });
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i++)
      outcomes.push(
        await ssm.send(new ListCommandsCommand({})).then(
          () => "ok",
          (e: Error) => e.name,
        ),
      );
    expect(outcomes).toEqual(["ok", "ThrottlingException", "ThrottlingException", "ThrottlingException"]);
  });
});

describe("robustness: every bad request gets an AWS-shaped 4xx", () => {
  const ssmPost = (body: string, headers: Record<string, string> = {}) =>
    fetch(sim.url, {
      method: "POST",
      body,
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AmazonSSM.DescribeInstanceInformation",
        ...headers,
      },
    });

  it("malformed JSON, wrong types, wrong content type, unknown operations", async () => {
    const bad = await ssmPost("{not json");
    expect(bad.status).toBe(400);
    expect(bad.headers.get("x-amzn-errortype")).toBe("SerializationException");
    expect(bad.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);
    expect(await bad.json()).toMatchObject({ __type: "SerializationException" });

    const wrongType = await ssmPost(JSON.stringify({ MaxResults: "ten" }));
    expect(wrongType.status).toBe(400);
    expect(((await wrongType.json()) as { __type: string }).__type).toBe("SerializationException");

    const array = await ssmPost("[]");
    expect(array.status).toBe(400);

    const type = await ssmPost("{}", { "Content-Type": "text/plain" });
    expect(type.status).toBe(415);
    expect(((await type.json()) as { __type: string }).__type).toBe("UnsupportedMediaTypeException");

    const unknown = await ssmPost("{}", { "X-Amz-Target": "AmazonSSM.DeleteDocument" });
    expect(unknown.status).toBe(400);
    const body = (await unknown.json()) as { __type: string; message: string };
    expect(body.__type).toBe("UnknownOperationException");
    expect(body.message).toContain("DeleteDocument");

    const form = (b: string) =>
      fetch(sim.url, { method: "POST", body: b, headers: { "Content-Type": "application/x-www-form-urlencoded" } });
    const noAction = await form("Version=2011-01-01");
    expect(noAction.status).toBe(400);
    expect(await noAction.text()).toContain("<Code>MissingAction</Code>");
    const badAction = await form("Action=DeleteAutoScalingGroup&Version=2011-01-01");
    expect(await badAction.text()).toMatch(
      /<ErrorResponse xmlns="http:\/\/autoscaling.amazonaws.com\/doc\/2011-01-01\/"><Error><Type>Sender<\/Type><Code>InvalidAction<\/Code><Message>The action DeleteAutoScalingGroup/,
    );
    const badInt = await form("Action=DescribeAutoScalingInstances&Version=2011-01-01&MaxRecords=abc");
    expect(badInt.status).toBe(400);
    expect(await badInt.text()).toContain("<Code>ValidationError</Code>");
  });

  it("huge bodies, unknown paths and methods", async () => {
    const huge = await ssmPost(JSON.stringify({ pad: "x".repeat(2 * 1024 * 1024) }));
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { __type: string }).__type).toBe("RequestEntityTooLargeException");

    for (const [method, path] of [
      ["GET", "/"],
      ["GET", "/nothing/here"],
      ["PUT", "/"],
      ["GET", "/_sim/nope"],
      ["GET", "/_hosts/i-0/imds"],
    ]) {
      const r = await fetch(`${sim.url}${path}`, { method: method! });
      expect(r.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(((await r.json()) as { __type: string }).__type).toBeTruthy();
    }
    const noTarget = await fetch(sim.url, {
      method: "POST",
      body: "{}",
      headers: { "Content-Type": "application/json" },
    });
    expect(noTarget.status).toBe(400);
    // The server is still fine.
    expect(
      (await ssm.send(new DescribeInstanceInformationCommand({}))).InstanceInformationList!.length,
    ).toBeGreaterThan(0);
  });
});

describe("control API", () => {
  it("logs calls with sequence numbers, filters them, and clears them", async () => {
    const before = ((await (await fetch(`${sim.url}/_sim/calls`)).json()) as { lastSeq: number }).lastSeq;
    await ssm.send(new DescribeInstanceInformationCommand({ MaxResults: 5 }));
    await asg.send(new DescribeAutoScalingGroupsCommand({}));
    const r = (await (await fetch(`${sim.url}/_sim/calls?since=${before}`)).json()) as {
      calls: { seq: number; op: string; params: Record<string, unknown>; at: string }[];
    };
    expect(r.calls.map((c) => c.op)).toEqual(["DescribeInstanceInformation", "DescribeAutoScalingGroups"]);
    expect(r.calls[0]!.params).toEqual({ MaxResults: 5 });
    expect(r.calls[0]!.seq).toBe(before + 1);
    const only = (await (await fetch(`${sim.url}/_sim/calls?since=${before}&op=DescribeAutoScalingGroups`)).json()) as {
      calls: unknown[];
    };
    expect(only.calls).toHaveLength(1);
    await fetch(`${sim.url}/_sim/calls`, { method: "DELETE" });
    expect(((await (await fetch(`${sim.url}/_sim/calls`)).json()) as { calls: unknown[] }).calls).toEqual([]);
  });

  it("lists hosts, attaches and detaches through the fleet, and rejects bad requests", async () => {
    const hosts = (await (await fetch(`${sim.url}/_sim/hosts`)).json()) as { hosts: { instanceId: string }[] };
    expect(hosts.hosts).toHaveLength(25);
    expect((await fetch(`${sim.url}/_sim/hosts/i-0fffffffffffffff0`)).status).toBe(404);
    const attach = await fetch(`${sim.url}/_sim/hosts/${LONE}/attach`, {
      method: "POST",
      body: JSON.stringify({ group: "web" }),
    });
    expect(attach.status).toBe(200);
    expect(
      (await asg.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [LONE] }))).AutoScalingInstances,
    ).toHaveLength(1);
    expect((await fetch(`${sim.url}/_sim/hosts/${LONE}/detach`, { method: "POST" })).status).toBe(200);
    expect(
      (await asg.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [LONE] }))).AutoScalingInstances,
    ).toHaveLength(0);
    const badGroup = await fetch(`${sim.url}/_sim/hosts/${LONE}/attach`, {
      method: "POST",
      body: JSON.stringify({ group: "nope" }),
    });
    expect(badGroup.status).toBe(400);
    expect((await fetch(`${sim.url}/_sim/hosts/${LONE}/attach`, { method: "POST", body: "{" })).status).toBe(400);
  });
});

describe("the real AWS CLI", () => {
  const aws = awsCli(() => sim.url);

  // sim.test.ts runs the acceptance checks with the CLI over the real fleet; these cover the remaining shapes.
  it("list-command-invocations --details, list-commands, describe-auto-scaling-groups, describe-warm-pool", async () => {
    const cmd = await send([WEB], ["echo hi", "echo oops >&2", "exit 3"]);
    await waitInvocation(cmd.CommandId!, WEB);
    const listed = await aws("ssm", "list-command-invocations", "--command-id", cmd.CommandId!, "--details");
    const inv = (
      listed.out.CommandInvocations as { Status: string; CommandPlugins: { Output: string; ResponseCode: number }[] }[]
    )[0]!;
    expect(inv.Status).toBe("Failed");
    expect(inv.CommandPlugins[0]).toMatchObject({ Output: "hi\n\n----------ERROR-------\noops\n", ResponseCode: 3 });
    const commands = await aws("ssm", "list-commands", "--command-id", cmd.CommandId!);
    expect((commands.out.Commands as unknown[])[0]).toMatchObject({ Status: "Failed", ErrorCount: 1, TargetCount: 1 });

    const groups = await aws("autoscaling", "describe-auto-scaling-groups");
    expect(groups.out.AutoScalingGroups).toEqual([
      expect.objectContaining({
        AutoScalingGroupName: "web",
        Instances: [expect.objectContaining({ InstanceId: WEB, LifecycleState: "InService" })],
      }),
    ]);
    const pool = await aws("autoscaling", "describe-warm-pool", "--auto-scaling-group-name", "web");
    expect(pool.out).toMatchObject({
      WarmPoolConfiguration: { PoolState: "Stopped" },
      Instances: [expect.objectContaining({ InstanceId: WARM })],
    });
    const bad = await aws("autoscaling", "describe-auto-scaling-instances", "--max-records", "51");
    expect(bad.err).toContain("(ValidationError)");
  });
});
