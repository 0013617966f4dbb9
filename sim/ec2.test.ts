/**
 * EC2 launch templates and images, the ECS-optimized AMI's public SSM parameters and the Auto Scaling calls about
 * what groups launch (issue 20, part 4), through the real SDK clients and the real AWS CLI against the scale-out
 * scenario (its schedules off and its clock fast, so launches happen when the test asks).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  UpdateAutoScalingGroupCommand,
} from "@aws-sdk/client-auto-scaling";
import {
  CreateLaunchTemplateVersionCommand,
  DescribeImagesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeRegionsCommand,
  EC2Client,
  ModifyLaunchTemplateCommand,
  paginateDescribeLaunchTemplateVersions,
} from "@aws-sdk/client-ec2";
import { ECSClient, ListContainerInstancesCommand } from "@aws-sdk/client-ecs";
import { GetParameterCommand, GetParametersCommand, SSMClient } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCli } from "../test/helpers/aws-cli.ts";
import { parseScenario, SCENARIO_DIR } from "./fleet/index.ts";
import { type Simulator, startSimulator } from "./main.ts";

const REC_2023 = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended";

/** scale-out.json with its schedules off and a fast clock: boot 2 s, the agent asks at 4 s, InService at 6 s. */
function scaleOut() {
  const raw = JSON.parse(readFileSync(path.join(SCENARIO_DIR, "scale-out.json"), "utf8"));
  raw.timing = { publishDelaySeconds: 6, bootSeconds: 2, lifecycleFailureSeconds: 0.5, pollSeconds: 0.5 };
  for (const g of raw.groups) {
    delete g.scaleOut;
    delete g.moveToInService;
    g.launch.latencyMs = 20;
  }
  return parseScenario(raw, "scale-out (fast)");
}

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
let sim: Simulator;
let ec2: EC2Client;
let asg: AutoScalingClient;
let ssm: SSMClient;
let ecs: ECSClient;
const aws = awsCli(() => sim.url);

beforeAll(async () => {
  sim = await startSimulator({ scenario: scaleOut(), exec: "model", snapshotTtlMs: 0 });
  const cfg = { endpoint: sim.url, region: "us-east-1", credentials, maxAttempts: 1 };
  ec2 = new EC2Client(cfg);
  asg = new AutoScalingClient(cfg);
  ssm = new SSMClient(cfg);
  ecs = new ECSClient(cfg);
}, 60_000);
afterAll(async () => {
  for (const c of [ec2, asg, ssm, ecs]) c?.destroy();
  await sim?.close();
});

type HostView = { instanceId: string; agentVersion: string; imageId: string; agent: { phase: string } };

async function control<T>(method: string, p: string, body?: unknown): Promise<T> {
  const res = await fetch(`${sim.url}/_sim/${p}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await res.json()) as T;
}

async function until(fn: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 100));
  }
}

const launch = async (group: string, count = 1) =>
  (await control<{ launched: HostView[] }>("POST", `groups/${group}/launch`, { count })).launched.map(
    (h) => h.instanceId,
  );
const host = (id: string) => control<HostView>("GET", `hosts/${id}`);
const userData = (text: string) => Buffer.from(text).toString("base64");

describe("EC2 launch templates through the SDK", () => {
  it("lists templates and their versions ($Latest, $Default, all), with the user data base64 as stored", async () => {
    const t = await ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ["web-ecs"] }));
    expect(t.LaunchTemplates).toHaveLength(1);
    const web = t.LaunchTemplates![0]!;
    expect(web.LaunchTemplateId).toMatch(/^lt-[0-9a-f]{17}$/);
    expect(web).toMatchObject({ LaunchTemplateName: "web-ecs", DefaultVersionNumber: 1, LatestVersionNumber: 1 });
    expect(web.CreateTime).toBeInstanceOf(Date);

    const v = await ec2.send(
      new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: web.LaunchTemplateId, Versions: ["$Latest"] }),
    );
    const v1 = v.LaunchTemplateVersions![0]!;
    expect(v1).toMatchObject({ VersionNumber: 1, DefaultVersion: true, LaunchTemplateName: "web-ecs" });
    const script = Buffer.from(v1.LaunchTemplateData!.UserData!, "base64").toString("utf8");
    expect(script).toContain("echo ECS_WARM_POOLS_CHECK=true >> /etc/ecs/ecs.config");
    expect(v1.LaunchTemplateData!.MetadataOptions?.HttpTokens).toBe("required");

    const images = await ec2.send(new DescribeImagesCommand({ ImageIds: [v1.LaunchTemplateData!.ImageId!] }));
    expect(images.Images![0]).toMatchObject({
      Name: "al2023-ami-ecs-hvm-2023.0.20250121-kernel-6.1-x86_64",
      OwnerId: "591542846629",
      ImageOwnerAlias: "amazon",
      Architecture: "x86_64",
      State: "available",
    });

    // Across every template, only $Latest / $Default.
    const all = await ec2.send(new DescribeLaunchTemplateVersionsCommand({ Versions: ["$Default"] }));
    expect(all.LaunchTemplateVersions!.map((x) => x.LaunchTemplateName).sort()).toEqual([
      "api-ecs",
      "batch-ecs",
      "web-ecs",
    ]);
  });

  it("creates a version from a source version with overrides, pages through versions, sets the default", async () => {
    const created = await ec2.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateName: "api-ecs",
        SourceVersion: "1",
        VersionDescription: "c5 instead",
        LaunchTemplateData: { InstanceType: "c5.large" },
      }),
    );
    const v2 = created.LaunchTemplateVersion!;
    expect(v2).toMatchObject({ VersionNumber: 2, DefaultVersion: false, VersionDescription: "c5 instead" });
    // Inherited from version 1: the image and the user data.
    expect(v2.LaunchTemplateData).toMatchObject({ InstanceType: "c5.large" });
    expect(v2.LaunchTemplateData!.ImageId).toMatch(/^ami-/);
    expect(v2.LaunchTemplateData!.UserData).toBeTruthy();

    const seen: number[] = [];
    for await (const page of paginateDescribeLaunchTemplateVersions(
      { client: ec2, pageSize: 1 },
      { LaunchTemplateName: "api-ecs" },
    ))
      seen.push(...page.LaunchTemplateVersions!.map((x) => x.VersionNumber!));
    expect(seen).toEqual([2, 1]);

    const modified = await ec2.send(
      new ModifyLaunchTemplateCommand({ LaunchTemplateName: "api-ecs", DefaultVersion: "2" }),
    );
    expect(modified.LaunchTemplate).toMatchObject({ DefaultVersionNumber: 2, LatestVersionNumber: 2 });
    const def = await ec2.send(
      new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: "api-ecs", Versions: ["$Default"] }),
    );
    expect(def.LaunchTemplateVersions!.map((x) => [x.VersionNumber, x.DefaultVersion])).toEqual([[2, true]]);
  });

  it("answers EC2's errors: unknown template id or name, unknown version, malformed and unknown images", async () => {
    const fail = (p: Promise<unknown>) => p.then(() => undefined).catch((e: Error) => [e.name, e.message]);
    expect(
      await fail(ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: "lt-0123456789abcdef0" }))),
    ).toEqual([
      "InvalidLaunchTemplateId.NotFound",
      "The specified launch template, with template ID lt-0123456789abcdef0, does not exist.",
    ]);
    expect((await fail(ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ["nope"] }))))![0]).toBe(
      "InvalidLaunchTemplateName.NotFoundException",
    );
    expect(
      (await fail(
        ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: "web-ecs", Versions: ["7"] })),
      ))![0],
    ).toBe("InvalidLaunchTemplateId.VersionNotFound");
    expect(
      await fail(
        ec2.send(
          new CreateLaunchTemplateVersionCommand({
            LaunchTemplateName: "web-ecs",
            LaunchTemplateData: { ImageId: "x" },
          }),
        ),
      ),
    ).toEqual(["InvalidAMIID.Malformed", 'Invalid id: "x" (expecting "ami-...")']);
    expect((await fail(ec2.send(new DescribeImagesCommand({ ImageIds: ["ami-0123456789abcdef0"] }))))![0]).toBe(
      "InvalidAMIID.NotFound",
    );
  });

  it("finds ECS-optimized images by owner and name, and lists regions", async () => {
    const found = await ec2.send(
      new DescribeImagesCommand({
        Owners: ["amazon"],
        Filters: [{ Name: "name", Values: ["al2023-ami-ecs-hvm-2023.0.2025*-kernel-6.1-x86_64"] }],
      }),
    );
    const names = found.Images!.map((i) => i.Name!).sort();
    expect(names[0]).toBe("al2023-ami-ecs-hvm-2023.0.20250121-kernel-6.1-x86_64");
    expect(names.at(-1)).toBe("al2023-ami-ecs-hvm-2023.0.20250318-kernel-6.1-x86_64");
    const regions = await ec2.send(new DescribeRegionsCommand({}));
    expect(regions.Regions!.map((r) => r.RegionName)).toEqual(expect.arrayContaining(["us-east-1", "eu-west-1"]));
    expect(regions.Regions!.every((r) => r.OptInStatus === "opt-in-not-required")).toBe(true);
  });
});

describe("the ECS-optimized AMI's public parameters through SSM", () => {
  it("recommended (JSON), its image_id, an unknown name; the image is the newest ECS image with a fixed agent", async () => {
    const r = await ssm.send(
      new GetParametersCommand({ Names: [REC_2023, `${REC_2023}/image_id`, "/aws/service/ecs/nope"] }),
    );
    expect(r.InvalidParameters).toEqual(["/aws/service/ecs/nope"]);
    const doc = JSON.parse(r.Parameters!.find((p) => p.Name === REC_2023)!.Value!);
    expect(doc).toMatchObject({
      ecs_agent_version: "1.91.1",
      image_name: "al2023-ami-ecs-hvm-2023.0.20250318-kernel-6.1-x86_64",
      os: "Amazon Linux 2023",
      schema_version: 1,
    });
    expect(doc.ecs_runtime_version).toMatch(/^Docker version /);
    expect(r.Parameters!.find((p) => p.Name === `${REC_2023}/image_id`)!.Value).toBe(doc.image_id);
    expect(r.Parameters![0]!.LastModifiedDate).toBeInstanceOf(Date);
    const img = await ec2.send(new DescribeImagesCommand({ ImageIds: [doc.image_id] }));
    expect(img.Images![0]!.Name).toBe(doc.image_name);
    const al2 = await ssm.send(
      new GetParameterCommand({ Name: "/aws/service/ecs/optimized-ami/amazon-linux-2/recommended" }),
    );
    expect(JSON.parse(al2.Parameter!.Value!)).toMatchObject({ os: "Amazon Linux 2", ecs_agent_version: "1.91.1" });
    await expect(ssm.send(new GetParameterCommand({ Name: "/nope" }))).rejects.toMatchObject({
      name: "ParameterNotFound",
    });
  });
});

describe("a fixed launch template version stops the failures (scale-out)", () => {
  it("after CreateLaunchTemplateVersion with the check off and UpdateAutoScalingGroup, new launches register, old ones still fail", async () => {
    const group = async () =>
      (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["web"] }))).AutoScalingGroups![0]!;
    const before = await group();
    expect(before.LaunchTemplate).toMatchObject({ LaunchTemplateName: "web-ecs", Version: "1" });

    const old = await launch("web", 2);
    expect((await host(old[0]!)).agentVersion).toBe("1.89.3");

    const created = await ec2.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateId: before.LaunchTemplate!.LaunchTemplateId,
        SourceVersion: "1",
        VersionDescription: "ECS_WARM_POOLS_CHECK off: web has no warm pool",
        LaunchTemplateData: {
          UserData: userData(
            "#!/bin/bash\necho ECS_CLUSTER=prod-web >> /etc/ecs/ecs.config\necho ECS_WARM_POOLS_CHECK=false >> /etc/ecs/ecs.config\n",
          ),
        },
      }),
    );
    const version = String(created.LaunchTemplateVersion!.VersionNumber);
    expect(version).toBe("2");
    // Creating the version alone changes nothing: the group launches version 1 until it is pointed at 2.
    const stillOld = await launch("web", 1);
    await asg.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: "web",
        LaunchTemplate: { LaunchTemplateId: before.LaunchTemplate!.LaunchTemplateId, Version: version },
      }),
    );
    expect((await group()).LaunchTemplate).toMatchObject({ Version: "2" });
    const fresh = await launch("web", 2);

    const phase = async (id: string) => (await host(id)).agent.phase;
    await until(async () => (await Promise.all(fresh.map(phase))).every((p) => p === "registered"));
    await until(async () => (await Promise.all([...old, ...stillOld].map(phase))).every((p) => p === "exited"));
    // The same affected agent (1.89.3): only the check changed.
    expect((await host(fresh[0]!)).agentVersion).toBe("1.89.3");
    const arns = (await ecs.send(new ListContainerInstancesCommand({ cluster: "prod-web" }))).containerInstanceArns!;
    expect(arns.length).toBeGreaterThanOrEqual(6); // the four steady hosts and the two fresh launches
    // Each instance says which version it was launched from.
    const rows = (await asg.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [...old, ...fresh] })))
      .AutoScalingInstances!;
    const versionOf = Object.fromEntries(rows.map((r) => [r.InstanceId, r.LaunchTemplate?.Version]));
    for (const id of old) expect(versionOf[id]).toBe("1");
    for (const id of fresh) expect(versionOf[id]).toBe("2");
  }, 40_000);

  it("pointing a group at the recommended image (its fixed agent) also registers, check on", async () => {
    const rec = (await ssm.send(new GetParametersCommand({ Names: [`${REC_2023}/image_id`] }))).Parameters![0]!.Value!;
    const v = await ec2.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateName: "batch-ecs",
        SourceVersion: "$Latest",
        LaunchTemplateData: { ImageId: rec },
      }),
    );
    // batch launches $Default: making the new version the default is the fix.
    await ec2.send(
      new ModifyLaunchTemplateCommand({
        LaunchTemplateName: "batch-ecs",
        DefaultVersion: String(v.LaunchTemplateVersion!.VersionNumber),
      }),
    );
    const [id] = await launch("batch", 1);
    expect((await host(id!)).agentVersion).toBe("1.91.1");
    expect((await host(id!)).imageId).toBe(rec);
    await until(async () => (await host(id!)).agent.phase === "registered");
  }, 30_000);
});

describe("the same through the real AWS CLI", () => {
  it("describe-launch-template-versions, describe-images, create-launch-template-version, update-auto-scaling-group, ssm get-parameters", async () => {
    const v = await aws(
      "ec2",
      "describe-launch-template-versions",
      "--launch-template-name",
      "web-ecs",
      "--versions",
      "$Latest",
    );
    expect(v.code, v.err).toBe(0);
    const latest = (
      v.out.LaunchTemplateVersions as { VersionNumber: number; LaunchTemplateData: { ImageId: string } }[]
    )[0]!;
    const img = await aws("ec2", "describe-images", "--image-ids", latest.LaunchTemplateData.ImageId);
    expect(img.code, img.err).toBe(0);
    expect((img.out.Images as { Name: string }[])[0]!.Name).toMatch(
      /^al2023-ami-ecs-hvm-2023\.0\.\d{8}-kernel-6\.1-x86_64$/,
    );

    const data = JSON.stringify({
      UserData: userData("#!/bin/bash\necho ECS_CLUSTER=prod-web >> /etc/ecs/ecs.config\n"),
    });
    const c = await aws(
      "ec2",
      "create-launch-template-version",
      "--launch-template-name",
      "web-ecs",
      "--source-version",
      "1",
      "--version-description",
      "line removed",
      "--launch-template-data",
      data,
    );
    expect(c.code, c.err).toBe(0);
    const n = (c.out.LaunchTemplateVersion as { VersionNumber: number }).VersionNumber;
    expect(n).toBe(latest.VersionNumber + 1);
    const u = await aws(
      "autoscaling",
      "update-auto-scaling-group",
      "--auto-scaling-group-name",
      "web",
      "--launch-template",
      `LaunchTemplateName=web-ecs,Version=${n}`,
    );
    expect(u.code, u.err).toBe(0);
    const g = await aws("autoscaling", "describe-auto-scaling-groups", "--auto-scaling-group-names", "web");
    expect((g.out.AutoScalingGroups as { LaunchTemplate: { Version: string } }[])[0]!.LaunchTemplate.Version).toBe(
      String(n),
    );
    const bad = await aws(
      "autoscaling",
      "update-auto-scaling-group",
      "--auto-scaling-group-name",
      "web",
      "--launch-template",
      "LaunchTemplateName=web-ecs,Version=99",
    );
    expect(bad.code).not.toBe(0);
    expect(bad.err).toContain("ValidationError");
    const p = await aws("ssm", "get-parameters", "--names", REC_2023);
    expect(p.code, p.err).toBe(0);
    expect(JSON.parse((p.out.Parameters as { Value: string }[])[0]!.Value).ecs_agent_version).toBe("1.91.1");
    const nf = await aws("ec2", "describe-launch-template-versions", "--launch-template-id", "lt-0123456789abcdef0");
    expect(nf.err).toContain("InvalidLaunchTemplateId.NotFound");
  }, 30_000);
});
