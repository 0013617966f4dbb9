import { describe, expect, it } from "vitest";
import { agentFromImageName, agentOfImage, majorityVersion, parseAmiParameter } from "./agent-version.ts";
import { classifyExposure, type ExposureFacts } from "./classify.ts";
import type { AgentVersionSource, CheckSetting } from "./types.ts";

const AL2023 = (date: string) => `al2023-ami-ecs-hvm-2023.0.${date}-kernel-6.1-x86_64`;

describe("agentFromImageName", () => {
  it.each([
    [AL2023("20241217"), undefined, false],
    [AL2023("20250121"), "1.89.3", true],
    [AL2023("20250129"), "1.89.3", true],
    [AL2023("20250206"), "1.90.0", true],
    [AL2023("20250304"), "1.91.0", true],
    [AL2023("20250314"), "1.91.0", true],
    [AL2023("20250318"), "1.91.1", false],
    [AL2023("20251001"), "1.91.1", false],
    ["amzn2-ami-ecs-hvm-2.0.20250206-x86_64-ebs", "1.90.0", true],
    ["amzn2-ami-ecs-kernel-5.10-hvm-2.0.20250304-x86_64-ebs", "1.91.0", true],
    ["amzn2-ami-ecs-gpu-hvm-2.0.20250320-x86_64-ebs", "1.91.1", false],
  ])("%s -> %s", (name, version, affected) => {
    const r = agentFromImageName(name);
    expect(r?.version).toBe(version);
    expect(r?.affected).toBe(affected);
  });

  it("knows no custom image", () => {
    expect(agentFromImageName("my-golden-image-20250129")).toBeUndefined();
    expect(agentFromImageName(undefined)).toBeUndefined();
  });
});

describe("agentOfImage: the parameter, then the name, then the probe", () => {
  const param = parseAmiParameter(
    "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended",
    JSON.stringify({ image_id: "ami-1", image_name: AL2023("20250318"), ecs_agent_version: "1.91.2" }),
  )!;
  const members = [
    { version: "1.90.0", n: 3 },
    { version: "1.91.1", n: 1 },
    { version: null, n: 2 },
  ];
  it("parameter", () => {
    const a = agentOfImage({ imageId: "ami-1", imageName: AL2023("20250318"), parameters: [param], members });
    expect([a.source, a.version, a.affected]).toEqual(["ssm-parameter", "1.91.2", false]);
  });
  it("image name", () => {
    const a = agentOfImage({ imageId: "ami-2", imageName: AL2023("20250206"), parameters: [param], members });
    expect([a.source, a.version, a.affected]).toEqual(["image-name", "1.90.0", true]);
  });
  it("probe majority", () => {
    const a = agentOfImage({ imageId: "ami-3", imageName: "custom", parameters: [param], members });
    expect([a.source, a.version, a.affected, a.detail]).toEqual([
      "probe",
      "1.90.0",
      true,
      "3 of 6 members probed run 1.90.0",
    ]);
  });
  it("unknown", () => {
    const a = agentOfImage({ imageId: "ami-3", parameters: [], members: [] });
    expect([a.source, a.version, a.affected]).toEqual(["unknown", undefined, undefined]);
  });
  it("majority ignores unreadable versions", () => {
    expect(majorityVersion([{ version: "garbage", n: 9 }])).toBeUndefined();
    expect(parseAmiParameter("x", "not json")).toBeUndefined();
  });
});

const ON: CheckSetting = { enabled: true, line: "ECS_WARM_POOLS_CHECK=true", lineNumber: 2, part: "script" };
const AFFECTED: AgentVersionSource = { source: "image-name", version: "1.89.3", affected: true, imageId: "ami-1" };
const FIXED: AgentVersionSource = { source: "ssm-parameter", version: "1.91.1", affected: false, imageId: "ami-2" };
const base: ExposureFacts = {
  fleet: "123456789012/us-east-1",
  group: "web",
  launch: { kind: "launch-template", templateId: "lt-1", version: "2", resolvedVersion: 2 },
  check: ON,
  agent: AFFECTED,
  hasWarmPool: true,
};

describe("classifyExposure", () => {
  it.each<[string, Partial<ExposureFacts>, string, RegExp]>([
    ["check on + affected agent", {}, "exposed", /next launches will fail/],
    ["no warm pool, check on, affected: still exposed", { hasWarmPool: false }, "exposed", /no warm pool/],
    ["fixed agent", { agent: FIXED }, "safe", /does not have the lifecycle-404 regression/],
    [
      "check off",
      { check: { enabled: false, line: "ECS_WARM_POOLS_CHECK=false", lineNumber: 3, part: "script" } },
      "safe",
      /is false/,
    ],
    ["check absent", { check: { enabled: false } }, "safe", /not set/],
    [
      "quoted true",
      {
        check: {
          enabled: false,
          line: 'ECS_WARM_POOLS_CHECK="true"',
          value: '"true"',
          invalid: true,
          lineNumber: 2,
          part: "script",
        },
      },
      "safe",
      /no boolean/,
    ],
    [
      "unreadable user data",
      { check: { enabled: false, unreadable: "user data could not be decoded" } },
      "unknown",
      /cannot read/,
    ],
    ["unknown agent", { agent: { source: "unknown" } }, "unknown", /agent version of the image is unknown/],
    ["no launch settings", { launch: { kind: "none" } }, "unknown", /could not be read/],
    ["template not readable", { launchError: "AccessDenied" }, "unknown", /could not be read/],
  ])("%s", (_name, over, exposure, reason) => {
    const g = classifyExposure({ ...base, ...over });
    expect(g.exposure).toBe(exposure);
    expect(g.reason).toMatch(reason);
    expect(g.evidence[0]).toMatch(/launch|no launch/);
  });

  it("names the template, the deciding line and the image in its evidence", () => {
    const g = classifyExposure(base);
    expect(g.evidence).toEqual([
      "launch template lt-1 version 2",
      "user data script line 2: ECS_WARM_POOLS_CHECK=true",
      "image ami-1: agent 1.89.3 from the image name",
      "warm pool: yes",
    ]);
  });
});
