/**
 * Group exposure against the simulator through the real SDK: a scenario with one group per user-data format and trap
 * (plain, gzip, MIME, cloud-config write_files and runcmd, false last, quoted "true", a commented line, a fixed AMI,
 * a launch configuration, a mixed-instances policy, a custom image), read in one call per template and batched image
 * and configuration calls; then the fix, step by step, confirmed and audited, until the group reads safe.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { DescribeLaunchTemplateVersionsCommand } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scanToEnd, simScanContext } from "@/test/helpers/scan-context.ts";
import { simCalls, simEnv, startSim } from "@/test/helpers/sim.ts";
import { b64, mime } from "@/test/helpers/user-data.ts";
import type { Actor } from "../auth/roles.ts";
import { createClients } from "../aws/clients.ts";
import type { Store } from "../store/interfaces.ts";
import { openStore } from "../store/store.ts";
import { createFixedTemplateVersion } from "./create-fixed-template-version.ts";
import { exposureClients } from "./exposure-clients.ts";
import { isFixPlan } from "./fix-plan.ts";
import { groupDetail } from "./group-detail.ts";
import { groupExposures } from "./group-exposures.ts";
import { pointGroupAtVersion } from "./point-group-at-version.ts";
import { readUserDataCheck } from "./read-check.ts";
import { startInstanceRefresh } from "./start-instance-refresh.ts";
import type { GroupExposure } from "./types.ts";

const AFFECTED = "al2023-ami-ecs-hvm-2023.0.20250121-kernel-6.1-x86_64";
const FIXED = "al2023-ami-ecs-hvm-2023.0.20250318-kernel-6.1-x86_64";
const SCRIPT_ON =
  "#!/bin/bash\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config\necho ECS_WARM_POOLS_CHECK=true >> /etc/ecs/ecs.config\n";

const USER_DATA: Record<string, unknown> = {
  plain: SCRIPT_ON,
  gzip: { text: SCRIPT_ON, gzip: true },
  mime: {
    base64: b64(
      mime([
        { type: "text/cloud-config", body: "#cloud-config\npackages:\n  - jq" },
        { type: "text/x-shellscript", body: SCRIPT_ON },
      ]),
    ),
  },
  "cc-write":
    "#cloud-config\nwrite_files:\n  - path: /etc/ecs/ecs.config\n    append: true\n    content: |\n      ECS_CLUSTER=prod\n      ECS_WARM_POOLS_CHECK=true\n",
  "cc-runcmd": "#cloud-config\nruncmd:\n  - echo ECS_WARM_POOLS_CHECK=true >> /etc/ecs/ecs.config\n",
  "false-last": `${SCRIPT_ON}echo ECS_WARM_POOLS_CHECK=false >> /etc/ecs/ecs.config\n`,
  quoted: "#!/bin/bash\necho 'ECS_WARM_POOLS_CHECK=\"true\"' >> /etc/ecs/ecs.config\n",
  commented: "#!/bin/bash\ncat <<'EOF' >> /etc/ecs/ecs.config\nECS_CLUSTER=prod\n#ECS_WARM_POOLS_CHECK=true\nEOF\n",
  "fixed-ami": SCRIPT_ON,
  mixed: SCRIPT_ON,
  custom: SCRIPT_ON,
};

function scenario() {
  const image = (name: string) => (name === "fixed-ami" ? FIXED : name === "custom" ? "acme-golden-2025" : AFFECTED);
  return {
    name: "exposure-formats",
    images: [{ name: "acme-golden-2025", agentVersion: "1.89.3", creationDate: "2025-02-01T00:00:00Z" }],
    launchTemplates: Object.entries(USER_DATA).map(([name, userData]) => ({
      name: `${name}-lt`,
      versions: [{ image: image(name), userData }],
    })),
    launchConfigurations: [{ name: "lc-old", image: AFFECTED, userData: SCRIPT_ON }],
    groups: [
      ...Object.keys(USER_DATA)
        .filter((n) => n !== "mixed")
        .map((name) => ({
          name,
          launchTemplate: { name: `${name}-lt`, version: name === "gzip" ? "$Latest" : "1" },
          ...(name === "cc-write" ? { warmPool: { poolState: "Stopped", minSize: 1 } } : {}),
        })),
      { name: "lc", launchConfiguration: "lc-old" },
      {
        name: "mixed",
        mixedInstancesPolicy: {
          launchTemplate: { name: "mixed-lt", version: "$Default" },
          overrides: [{ instanceType: "m5.large" }, { instanceType: "m6i.large" }],
        },
      },
      {
        name: "mixed-other",
        mixedInstancesPolicy: {
          launchTemplate: { name: "fixed-ami-lt", version: "1" },
          overrides: [
            { instanceType: "m5.large" },
            { instanceType: "m6g.large", launchTemplate: { name: "plain-lt", version: "1" } },
          ],
        },
      },
    ],
    // Members of `custom` (a company image whose name says nothing): the probe's majority names their agent.
    hosts: ["1.89.3", "1.89.3", "1.89.3", "1.91.1"].map((agentVersion, i) => ({
      id: `i-0c0570000000000${i}${i}`,
      agentVersion,
      os: "al2023",
      launchedAgo: "2d",
      ecsConfig: { ECS_CLUSTER: "prod", ECS_WARM_POOLS_CHECK: "true" },
      group: { name: "custom" },
      expect: i === 3 ? "healthy" : "lifecycle-404:ready",
    })),
  };
}

const dir = mkdtempSync(path.join(tmpdir(), "fd-exposure-"));
const FLEET = "123456789012/us-east-1";
const OPS: Actor = { id: "ops@example.com", role: "operator" };
let sim: Awaited<ReturnType<typeof startSim>>;
let store: Store;
let clients: ReturnType<typeof exposureClients>;
let groups: GroupExposure[];

beforeAll(async () => {
  const file = path.join(dir, "exposure.json");
  writeFileSync(file, JSON.stringify(scenario()));
  sim = await startSim(file);
  Object.assign(process.env, simEnv(sim.url));
  clients = exposureClients(createClients({ region: "us-east-1", maxAttempts: 3 }));
  store = openStore(path.join(dir, "fleet.db"));
  groups = await groupExposures({ clients, store }, FLEET);
}, 120_000);

afterAll(async () => {
  await store?.close();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

const byName = (n: string) => groups.find((g) => g.group === n)!;

describe("groupExposures over the simulator", () => {
  it.each([
    ["plain", "exposed", "script", 3],
    ["gzip", "exposed", "script", 3],
    ["mime", "exposed", "mime part 2 script", 3],
    ["cc-write", "exposed", "cloud-config write_files", 7],
    ["cc-runcmd", "exposed", "cloud-config runcmd", 3],
    ["false-last", "safe", "script", 4],
    ["quoted", "safe", "script", 2],
    ["commented", "safe", undefined, undefined],
    ["fixed-ami", "safe", "script", 3],
    ["lc", "exposed", "script", 3],
    ["mixed", "exposed", "script", 3],
    ["custom", "unknown", "script", 3],
    ["mixed-other", "unknown", undefined, undefined],
  ])("%s is %s (deciding line in %s, line %s)", (name, exposure, part, line) => {
    const g = byName(name);
    expect(g.exposure, g.reason).toBe(exposure);
    expect(g.check.part).toBe(part);
    expect(g.check.lineNumber).toBe(line);
    expect(g.evidence.join("\n")).toMatch(g.launch.kind === "launch-configuration" ? /lc-old/ : /lt-[0-9a-f]+/);
  });

  it("names where each agent version came from", () => {
    // The image's own public parameter names its agent; the name's date would have said the same.
    expect(byName("plain").agent).toMatchObject({ version: "1.89.3", source: "ssm-parameter", affected: true });
    expect(byName("fixed-ami").agent.affected).toBe(false);
    expect(byName("custom").agent).toMatchObject({ source: "unknown", imageName: "acme-golden-2025" });
    expect(byName("cc-write").hasWarmPool).toBe(true);
    expect(byName("plain").hasWarmPool).toBe(false);
    expect(byName("plain").reason).toMatch(/no warm pool/);
    expect(byName("gzip").launch).toMatchObject({ kind: "launch-template", version: "$Latest", resolvedVersion: 1 });
    expect(byName("mixed").launch).toMatchObject({ kind: "mixed-instances", version: "$Default", resolvedVersion: 1 });
  });

  it("reads one template at a time, images and configurations in batches, never per instance", async () => {
    const calls = await simCalls(sim.url);
    const count = (op: string) => calls.filter((c) => c.op === op).length;
    expect(count("DescribeLaunchTemplateVersions")).toBe(Object.keys(USER_DATA).length);
    expect(count("DescribeImages")).toBe(1);
    expect(count("DescribeLaunchConfigurations")).toBe(1);
    // The two recommended parameters, then the groups' two ECS-optimized images' own (ten names a call).
    expect(count("GetParameters")).toBe(2);
    expect(count("DescribeInstances")).toBe(0);
  });
});

describe("the probe's view", () => {
  it("a group whose image says nothing takes its agent from the members' latest results", async () => {
    await scanToEnd({ kind: "all" }, simScanContext(store));
    const custom = (await groupExposures({ clients, store }, FLEET)).find((g) => g.group === "custom")!;
    expect(custom.agent).toMatchObject({
      source: "probe",
      version: "1.89.3",
      detail: "3 of 4 members probed run 1.89.3",
    });
    expect(custom.exposure).toBe("exposed");
  });
});

describe("the fix, step by step", () => {
  const ctx = () => ({ clients, store, actor: OPS, fleet: FLEET });

  it("refuses a stale token, a viewer, and pointing at the exposed version", async () => {
    await expect(createFixedTemplateVersion("plain", { token: "0".repeat(32) }, ctx())).rejects.toMatchObject({
      code: "CONFLICT",
    });
    await expect(
      createFixedTemplateVersion("plain", { confirm: true }, { ...ctx(), actor: { id: "v", role: "viewer" } }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(pointGroupAtVersion("plain", { version: 1, confirm: true }, ctx())).rejects.toMatchObject({
      code: "UNPROCESSABLE",
    });
    await expect(startInstanceRefresh("plain", { confirm: true }, ctx())).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(createFixedTemplateVersion("lc", { confirm: true }, ctx())).rejects.toMatchObject({
      code: "UNPROCESSABLE",
    });
    const writes = (await simCalls(sim.url)).filter((c) =>
      ["CreateLaunchTemplateVersion", "UpdateAutoScalingGroup", "StartInstanceRefresh"].includes(c.op),
    );
    expect(writes).toEqual([]);
  });

  it.each(["plain", "gzip", "mime", "cc-write", "cc-runcmd", "mixed"])(
    "%s: template with the preview's token, point, refresh; then safe, each write audited",
    async (name) => {
      const detail = await groupDetail({ clients, store }, FLEET, name);
      if (!isFixPlan(detail.fix)) throw new Error(detail.fix.reason);
      const plan = detail.fix;
      expect(plan.diff).toMatch(/\+.*ECS_WARM_POOLS_CHECK=false/);

      const created = await createFixedTemplateVersion(name, { token: plan.token }, ctx());
      expect(created.version).toBe(2);
      const v = await clients.ec2.send(
        new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: plan.templateId, Versions: ["1", "2"] }),
      );
      const version = (n: number) => v.LaunchTemplateVersions!.find((x) => x.VersionNumber === n)!;
      const [v1, v2] = [version(1), version(2)];
      // Exactly the preview's user data, and the same form (gzip stays gzip, MIME stays MIME).
      expect(v2.LaunchTemplateData?.UserData).toBe(plan.launchTemplateData.UserData);
      expect(v2.LaunchTemplateData?.ImageId).toBe(v1.LaunchTemplateData?.ImageId);
      const before = Buffer.from(v1.LaunchTemplateData!.UserData!, "base64");
      const after = Buffer.from(v2.LaunchTemplateData!.UserData!, "base64");
      expect(after[0] === 0x1f && after[1] === 0x8b).toBe(before[0] === 0x1f && before[1] === 0x8b);
      expect(readUserDataCheck(v2.LaunchTemplateData!.UserData).check).toMatchObject({ enabled: false });

      const pointed = await pointGroupAtVersion(name, { version: created.version, token: created.pointToken }, ctx());
      expect(pointed.exposure.exposure).toBe("safe");
      const g = await clients.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
      const spec =
        g.AutoScalingGroups![0]!.LaunchTemplate ??
        g.AutoScalingGroups![0]!.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
      expect(spec?.Version).toBe("2");
      if (name === "mixed") {
        expect(g.AutoScalingGroups![0]!.MixedInstancesPolicy?.LaunchTemplate?.Overrides).toHaveLength(2);
      }

      const refresh = await startInstanceRefresh(name, { token: pointed.refreshToken }, ctx());
      expect(refresh.instanceRefreshId).toMatch(/\S/);

      const now = (await groupExposures({ clients, store }, FLEET)).find((x) => x.group === name)!;
      expect(now.exposure).toBe("safe");
      expect(now.check.line).toBe("ECS_WARM_POOLS_CHECK=false");
      const audit = await store.groupFixes.list({ fleet: FLEET, group: name });
      expect(audit.map((r) => `${r.step}:${r.phase}`).reverse()).toEqual([
        "template:requested",
        "template:succeeded",
        "point:requested",
        "point:succeeded",
        "refresh:requested",
        "refresh:succeeded",
      ]);
      expect(audit.every((r) => r.actor === OPS.id)).toBe(true);
    },
  );
});
