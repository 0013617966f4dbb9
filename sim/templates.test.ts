/**
 * The templates scenario (issue 20): groups whose user data sets the check in each format and the traps, a launch
 * configuration group and a mixed-instances group, read through the SDK and the AWS CLI; launches boot what the
 * members run; an instance refresh replaces the members from the group's current template version.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeInstanceRefreshesCommand,
  DescribeLaunchConfigurationsCommand,
  StartInstanceRefreshCommand,
  UpdateAutoScalingGroupCommand,
} from "@aws-sdk/client-auto-scaling";
import { CreateLaunchTemplateVersionCommand, EC2Client } from "@aws-sdk/client-ec2";
import { DescribeInstanceInformationCommand, SSMClient } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCli } from "../test/helpers/aws-cli.ts";
import { goParseBool, parseEcsConfig } from "./fleet/ecs-config.ts";
import { parseScenario, SCENARIO_DIR } from "./fleet/index.ts";
import { isAffected } from "./fleet/versions.ts";
import { type Simulator, startSimulator } from "./main.ts";

const RAW = JSON.parse(readFileSync(path.join(SCENARIO_DIR, "templates.json"), "utf8"));

function fast() {
  const raw = structuredClone(RAW);
  raw.timing = { publishDelaySeconds: 6, bootSeconds: 2, lifecycleFailureSeconds: 0.5, pollSeconds: 0.5 };
  return parseScenario(raw, "templates (fast)");
}

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
let sim: Simulator;
let ec2: EC2Client;
let asg: AutoScalingClient;
let ssm: SSMClient;
const aws = awsCli(() => sim.url);

beforeAll(async () => {
  sim = await startSimulator({ scenario: fast(), exec: "model", snapshotTtlMs: 0 });
  const cfg = { endpoint: sim.url, region: "us-east-1", credentials, maxAttempts: 1 };
  ec2 = new EC2Client(cfg);
  asg = new AutoScalingClient(cfg);
  ssm = new SSMClient(cfg);
}, 60_000);
afterAll(async () => {
  for (const c of [ec2, asg, ssm]) c?.destroy();
  await sim?.close();
});

type HostView = {
  instanceId: string;
  agentVersion: string;
  ecsConfig: string;
  instanceType: string;
  membership?: { group: string };
  agent: { phase: string };
};

async function control<T>(method: string, p: string, body?: unknown): Promise<T> {
  const res = await fetch(`${sim.url}/_sim/${p}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await res.json()) as T;
}
const host = (id: string) => control<HostView>("GET", `hosts/${id}`);
const launch = async (group: string, count = 1) =>
  (await control<{ launched: HostView[] }>("POST", `groups/${group}/launch`, { count })).launched.map(
    (h) => h.instanceId,
  );

async function until(fn: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 150));
  }
}

describe("templates.json", () => {
  it("has a group for each format and trap, two members each, tagged with the exposure to expect", async () => {
    const names = RAW.groups.map((g: { name: string }) => g.name);
    expect(names).toEqual([
      "script-on",
      "cloud-config-files",
      "cloud-config-runcmd",
      "mime-multipart",
      "gzip",
      "trap-false-last",
      "trap-quoted-true",
      "trap-commented",
      "trap-no-warm-pool",
      "fixed-image",
      "baked-image",
      "launch-config",
      "mixed",
    ]);
    for (const n of names)
      expect(RAW.hosts.filter((h: { group: { name: string } }) => h.group.name === n)).toHaveLength(2);
  });

  it("a launch of each group boots what its members run, and its tag says whether its launches will die", async () => {
    const groups = (await asg.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups!;
    for (const g of groups) {
      const name = g.AutoScalingGroupName!;
      const tag = g.Tags!.find((t) => t.Key === "exposure")!.Value;
      const members = await Promise.all(g.Instances!.map((i) => host(i.InstanceId!)));
      // The mixed group takes its overrides in turn: two launches see both images.
      const launched = await Promise.all((await launch(name, name === "mixed" ? 2 : 1)).map(host));
      expect(launched[0]!.ecsConfig, name).toBe(members[0]!.ecsConfig);
      const dies = launched.some((h) => {
        const check = goParseBool(parseEcsConfig(h.ecsConfig).get("ECS_WARM_POOLS_CHECK") ?? "");
        return isAffected(h.agentVersion) && check === true;
      });
      expect(dies ? "exposed" : "safe", name).toBe(tag);
    }
  }, 30_000);

  it("Auto Scaling shows the launch configuration and the mixed-instances policy with its overrides", async () => {
    const groups = (
      await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["launch-config", "mixed"] }))
    ).AutoScalingGroups!;
    const lc = groups.find((g) => g.AutoScalingGroupName === "launch-config")!;
    expect(lc.LaunchConfigurationName).toBe("launch-config-lc");
    expect(lc.LaunchTemplate).toBeUndefined();
    expect(lc.Instances![0]!.LaunchConfigurationName).toBe("launch-config-lc");
    const mixed = groups.find((g) => g.AutoScalingGroupName === "mixed")!;
    expect(mixed.LaunchTemplate).toBeUndefined();
    const policy = mixed.MixedInstancesPolicy!;
    expect(policy.LaunchTemplate!.LaunchTemplateSpecification).toMatchObject({
      LaunchTemplateName: "mixed-lt",
      Version: "$Latest",
    });
    expect(policy.LaunchTemplate!.Overrides!.map((o) => o.InstanceType)).toEqual(["m5.large", "m6i.large"]);
    expect(policy.LaunchTemplate!.Overrides![1]!.ImageId).toMatch(/^ami-[0-9a-f]{17}$/);
    expect(policy.InstancesDistribution).toMatchObject({
      OnDemandBaseCapacity: 1,
      OnDemandPercentageAboveBaseCapacity: 50,
    });

    const configs = (await asg.send(new DescribeLaunchConfigurationsCommand({}))).LaunchConfigurations!;
    expect(configs.map((c) => c.LaunchConfigurationName)).toEqual(["launch-config-lc"]);
    expect(Buffer.from(configs[0]!.UserData!, "base64").toString("utf8")).toContain(
      "echo ECS_WARM_POOLS_CHECK=true >> /etc/ecs/ecs.config",
    );
    expect(configs[0]!.ImageId).toMatch(/^ami-/);
  });

  it("the AWS CLI reads the same: describe-launch-configurations, describe-auto-scaling-groups", async () => {
    const lc = await aws("autoscaling", "describe-launch-configurations");
    expect(lc.code, lc.err).toBe(0);
    expect((lc.out.LaunchConfigurations as { UserData: string }[])[0]!.UserData).toBeTruthy();
    const g = await aws("autoscaling", "describe-auto-scaling-groups", "--auto-scaling-group-names", "mixed");
    expect(g.code, g.err).toBe(0);
    const policy = (
      g.out.AutoScalingGroups as { MixedInstancesPolicy: { LaunchTemplate: { Overrides: unknown[] } } }[]
    )[0]!.MixedInstancesPolicy;
    expect(policy.LaunchTemplate.Overrides).toHaveLength(2);
  });
});

describe("UpdateAutoScalingGroup", () => {
  it("switches a launch-configuration group to a template, and changes a mixed policy's overrides", async () => {
    await asg.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: "launch-config",
        LaunchTemplate: { LaunchTemplateName: "fixed-image-lt" },
      }),
    );
    await asg.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: "mixed",
        MixedInstancesPolicy: {
          LaunchTemplate: {
            LaunchTemplateSpecification: { LaunchTemplateName: "mixed-lt", Version: "1" },
            Overrides: [{ InstanceType: "c6i.large" }],
          },
        },
      }),
    );
    const groups = (
      await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["launch-config", "mixed"] }))
    ).AutoScalingGroups!;
    const lc = groups.find((g) => g.AutoScalingGroupName === "launch-config")!;
    expect(lc.LaunchConfigurationName).toBeUndefined();
    expect(lc.LaunchTemplate).toMatchObject({ LaunchTemplateName: "fixed-image-lt", Version: "$Default" });
    const mixed = groups.find((g) => g.AutoScalingGroupName === "mixed")!.MixedInstancesPolicy!;
    expect(mixed.LaunchTemplate!.Overrides!.map((o) => o.InstanceType)).toEqual(["c6i.large"]);
    const [id] = await launch("mixed", 1);
    expect((await host(id!)).instanceType).toBe("c6i.large");
    expect((await host(id!)).agentVersion).toBe("1.91.1");
    const [fromLt] = await launch("launch-config", 1);
    expect((await host(fromLt!)).agentVersion).toBe("1.91.1");

    const fail = (input: ConstructorParameters<typeof UpdateAutoScalingGroupCommand>[0]) =>
      asg
        .send(new UpdateAutoScalingGroupCommand(input))
        .then((): string[] => [])
        .catch((e: Error) => [e.name, e.message]);
    expect(await fail({ AutoScalingGroupName: "mixed", LaunchTemplate: { LaunchTemplateName: "nope" } })).toEqual([
      "ValidationError",
      "You must use a valid fully-formed launch template. The specified launch template, with template name nope, does not exist.",
    ]);
    expect(
      (await fail({
        AutoScalingGroupName: "mixed",
        LaunchTemplate: { LaunchTemplateName: "mixed-lt" },
        LaunchConfigurationName: "launch-config-lc",
      }))![0],
    ).toBe("ValidationError");
    expect((await fail({ AutoScalingGroupName: "nope", MinSize: 1 }))![1]).toContain(
      "AutoScalingGroup 'nope' not found",
    );
    expect((await fail({ AutoScalingGroupName: "mixed", MinSize: 5, MaxSize: 2 }))![1]).toBe(
      "Minimum size 5 is greater than maximum size 2.",
    );
  });
});

describe("an instance refresh", () => {
  it("replaces the members a batch at a time from the group's current version; percentage grows to 100", async () => {
    const before = (
      await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["trap-no-warm-pool"] }))
    ).AutoScalingGroups![0]!;
    const old = before.Instances!.map((i) => i.InstanceId!);
    expect(old.length).toBeGreaterThanOrEqual(2);
    const v = await ec2.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateName: "trap-no-warm-pool-lt",
        SourceVersion: "1",
        LaunchTemplateData: {
          UserData: Buffer.from("#!/bin/bash\necho ECS_CLUSTER=no-pool >> /etc/ecs/ecs.config\n").toString("base64"),
        },
      }),
    );
    const version = String(v.LaunchTemplateVersion!.VersionNumber);
    await asg.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: "trap-no-warm-pool",
        LaunchTemplate: { LaunchTemplateName: "trap-no-warm-pool-lt", Version: version },
      }),
    );
    const started = await asg.send(
      new StartInstanceRefreshCommand({
        AutoScalingGroupName: "trap-no-warm-pool",
        Preferences: { MinHealthyPercentage: 50, InstanceWarmup: 1 },
      }),
    );
    expect(started.InstanceRefreshId).toMatch(/^[0-9a-f-]{36}$/);
    await expect(
      asg.send(new StartInstanceRefreshCommand({ AutoScalingGroupName: "trap-no-warm-pool" })),
    ).rejects.toMatchObject({ name: "InstanceRefreshInProgressFault" }); // the wire code InstanceRefreshInProgress, as the SDK names it

    const seen: number[] = [];
    await until(async () => {
      const r = (await asg.send(new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: "trap-no-warm-pool" })))
        .InstanceRefreshes![0]!;
      seen.push(r.PercentageComplete ?? 0);
      return r.Status === "Successful";
    });
    expect(seen.at(-1)).toBe(100);
    expect(seen.some((p) => p > 0 && p < 100)).toBe(true);

    const after = (
      await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["trap-no-warm-pool"] }))
    ).AutoScalingGroups![0]!;
    const now = after.Instances!.map((i) => i.InstanceId!);
    // Every original member is gone (the group also had the launch of the previous test); the new ones are version 2.
    for (const id of old) expect(now).not.toContain(id);
    expect(after.DesiredCapacity).toBe(before.DesiredCapacity);
    for (const i of after.Instances!) expect(i.LaunchTemplate?.Version).toBe(version);
    const listed = (
      await ssm.send(new DescribeInstanceInformationCommand({ MaxResults: 50 }))
    ).InstanceInformationList!.map((i) => i.InstanceId);
    for (const id of old) expect(listed).not.toContain(id);
    await until(async () => (await Promise.all(now.map(host))).every((h) => h.agent.phase === "registered"));
    const cli = await aws(
      "autoscaling",
      "describe-instance-refreshes",
      "--auto-scaling-group-name",
      "trap-no-warm-pool",
    );
    expect(cli.code, cli.err).toBe(0);
    expect((cli.out.InstanceRefreshes as { Status: string }[])[0]!.Status).toBe("Successful");
  }, 60_000);

  it("SkipMatching leaves members already on the group's current version", async () => {
    const members = async () =>
      (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["fixed-image"] })))
        .AutoScalingGroups![0]!.Instances!.map((i) => i.InstanceId)
        .sort();
    const before = await members();
    await asg.send(
      new StartInstanceRefreshCommand({
        AutoScalingGroupName: "fixed-image",
        Preferences: { SkipMatching: true, InstanceWarmup: 1 },
      }),
    );
    await until(async () => {
      const r = (await asg.send(new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: "fixed-image" })))
        .InstanceRefreshes![0]!;
      return r.Status === "Successful";
    });
    expect(await members()).toEqual(before);
  }, 20_000);
});
