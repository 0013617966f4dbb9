import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { b64, gz, mime } from "@/test/helpers/user-data.ts";
import { classifyExposure } from "./classify.ts";
import { isFixPlan, planFix } from "./fix-plan.ts";
import { fixUserData } from "./fix-user-data.ts";
import { readUserDataCheck } from "./read-check.ts";
import { unifiedDiff } from "./unified-diff.ts";

const SCRIPT =
  "#!/bin/bash\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config\necho ECS_WARM_POOLS_CHECK=true >> /etc/ecs/ecs.config\n";
const CLOUD = [
  "#cloud-config",
  "write_files:",
  "  - path: /etc/ecs/ecs.config",
  "    append: true",
  "    content: |",
  "      ECS_CLUSTER=prod",
  "      ECS_WARM_POOLS_CHECK=true",
  "runcmd:",
  "  - systemctl enable --now --no-block ecs",
  "",
].join("\n");

function fixed(userData: string) {
  const reading = readUserDataCheck(userData);
  expect(reading.check.enabled).toBe(true);
  const fix = fixUserData(reading);
  expect(fix).toBeDefined();
  const after = readUserDataCheck(fix!.userData);
  expect(after.check.enabled).toBe(false);
  expect(after.check.line).toMatch(/ECS_WARM_POOLS_CHECK=false/);
  return fix!;
}

describe("fixUserData: the check off, every other byte kept, the same form", () => {
  it("plain script: only the deciding line changes", () => {
    const fix = fixed(b64(SCRIPT));
    expect(Buffer.from(fix.userData, "base64").toString()).toBe(SCRIPT.replace("CHECK=true", "CHECK=false"));
    expect(fix.diff).toBe(
      [
        "--- a/user-data",
        "+++ b/user-data",
        "@@ -1,4 +1,4 @@",
        " #!/bin/bash",
        " echo ECS_CLUSTER=prod >> /etc/ecs/ecs.config",
        "-echo ECS_WARM_POOLS_CHECK=true >> /etc/ecs/ecs.config",
        "+echo ECS_WARM_POOLS_CHECK=false >> /etc/ecs/ecs.config",
        " ",
        "",
      ].join("\n"),
    );
  });

  it("gzip stays gzip", () => {
    const fix = fixed(b64(gz(SCRIPT)));
    const bytes = Buffer.from(fix.userData, "base64");
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    expect(gunzipSync(bytes).toString()).toBe(SCRIPT.replace("CHECK=true", "CHECK=false"));
  });

  it("MIME stays MIME: the other part and the headers byte for byte, a base64 part re-encoded", () => {
    const original = mime([
      { type: "text/cloud-config", body: "#cloud-config\npackages:\n  - jq" },
      { type: "text/x-shellscript", body: SCRIPT, base64: true },
    ]);
    const fix = fixed(b64(original));
    const text = Buffer.from(fix.userData, "base64").toString();
    const expected = original.replace(b64(SCRIPT), b64(SCRIPT.replace("CHECK=true", "CHECK=false")));
    expect(text).toBe(expected);
    expect(fix.diff).toContain("+++ b/mime-part-2");
  });

  it("cloud-config write_files literal block: one line", () => {
    const fix = fixed(b64(CLOUD));
    expect(Buffer.from(fix.userData, "base64").toString()).toBe(CLOUD.replace("CHECK=true", "CHECK=false"));
  });

  it("cloud-config write_files gzip+b64: the content re-encoded, the diff shows it decoded", () => {
    const content = gz("ECS_CLUSTER=prod\nECS_WARM_POOLS_CHECK=true\n").toString("base64");
    const doc = `#cloud-config\nwrite_files:\n  - path: /etc/ecs/ecs.config\n    encoding: gz+b64\n    content: "${content}"\n`;
    const fix = fixed(b64(doc));
    expect(fix.diff).toContain("+ECS_WARM_POOLS_CHECK=false");
    const text = Buffer.from(fix.userData, "base64").toString();
    expect(
      text.startsWith(
        '#cloud-config\nwrite_files:\n  - path: /etc/ecs/ecs.config\n    encoding: gz+b64\n    content: "',
      ),
    ).toBe(true);
  });

  it("runcmd and heredoc", () => {
    fixed(b64("#cloud-config\nruncmd:\n  - echo ECS_WARM_POOLS_CHECK=true >> /etc/ecs/ecs.config\n"));
    fixed(b64("#!/bin/bash\ncat <<EOF >> /etc/ecs/ecs.config\nECS_WARM_POOLS_CHECK=true\nEOF\n"));
  });

  it("a sed that turns it on is turned around", () => {
    fixed(
      b64(
        "#!/bin/bash\necho ECS_WARM_POOLS_CHECK=false >> /etc/ecs/ecs.config\nsed -i 's/ECS_WARM_POOLS_CHECK=false/ECS_WARM_POOLS_CHECK=true/' /etc/ecs/ecs.config\n",
      ),
    );
  });

  it("no fix when the check is off already", () => {
    expect(
      fixUserData(readUserDataCheck(b64("#!/bin/bash\necho ECS_WARM_POOLS_CHECK=false >> /etc/ecs/ecs.config\n"))),
    ).toBeUndefined();
  });
});

describe("unifiedDiff", () => {
  it("is empty for equal texts and numbers hunks", () => {
    expect(unifiedDiff("a\nb", "a\nb", "x")).toBe("");
    const old = Array.from({ length: 20 }, (_, i) => `l${i}`).join("\n");
    const neu = old.replace("l10", "L10");
    expect(unifiedDiff(old, neu, "x")).toBe(
      "--- a/x\n+++ b/x\n@@ -8,7 +8,7 @@\n l7\n l8\n l9\n-l10\n+L10\n l11\n l12\n l13\n",
    );
  });
});

describe("planFix", () => {
  const reading = readUserDataCheck(b64(SCRIPT));
  const exposure = classifyExposure({
    fleet: "123456789012/us-east-1",
    group: "web",
    launch: { kind: "launch-template", templateId: "lt-0abc", version: "$Latest", resolvedVersion: 3 },
    check: reading.check,
    agent: {
      source: "image-name",
      version: "1.89.3",
      affected: true,
      imageId: "ami-old",
      imageName: "al2023-ami-ecs-hvm-2023.0.20250129-kernel-6.1-x86_64",
    },
    hasWarmPool: true,
  });

  it("orders template, point, refresh with the exact user data", () => {
    expect(exposure.exposure).toBe("exposed");
    const plan = planFix({
      exposure,
      reading,
      region: "us-east-1",
      template: { templateId: "lt-0abc", version: 3, latestVersion: 4 },
      parameters: [],
    });
    if (!isFixPlan(plan)) throw new Error(plan.reason);
    expect(plan.steps.map((s) => s.step)).toEqual(["template", "point", "refresh"]);
    expect(plan.expectedVersion).toBe(5);
    expect(plan.steps[0]!.command).toContain("--launch-template-id lt-0abc --source-version 3");
    expect(plan.steps[0]!.command).toContain(JSON.stringify({ UserData: plan.launchTemplateData.UserData }));
    expect(plan.steps[1]!.command).toBe(
      "aws autoscaling update-auto-scaling-group --region 'us-east-1' --auto-scaling-group-name 'web' --launch-template LaunchTemplateId=lt-0abc,Version=5",
    );
    expect(plan.token).toMatch(/^[0-9a-f]{32}$/);
  });

  it("offers the recommended image of the same family when asked", () => {
    const plan = planFix({
      exposure,
      reading,
      region: "us-east-1",
      template: { templateId: "lt-0abc", version: 3, latestVersion: 3 },
      parameters: [
        {
          name: "/aws/service/ecs/optimized-ami/amazon-linux-2/recommended",
          imageId: "ami-al2",
          agentVersion: "1.99.0",
        },
        {
          name: "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended",
          imageId: "ami-new",
          agentVersion: "1.99.0",
        },
      ],
      prefer: "image",
    });
    if (!isFixPlan(plan)) throw new Error(plan.reason);
    expect(plan.launchTemplateData).toEqual({ ImageId: "ami-new" });
    expect(plan.diff).toContain("+ami-new");
  });

  it("quotes what AWS names: a group name with a quote and spaces stays one shell word", () => {
    const plan = planFix({
      exposure: { ...exposure, group: "web's $(group)" },
      reading,
      region: "us-east-1",
      template: { templateId: "lt-0abc", version: 3, latestVersion: 3 },
      parameters: [],
    });
    if (!isFixPlan(plan)) throw new Error(plan.reason);
    const quoted = `--auto-scaling-group-name 'web'\\''s $(group)'`;
    expect(plan.steps[1]!.command).toContain(quoted);
    expect(plan.steps[2]!.command).toContain(quoted);
  });

  it("refuses a group that is not exposed, and a launch configuration", () => {
    const safe = { ...exposure, exposure: "safe" as const };
    expect(isFixPlan(planFix({ exposure: safe, reading, region: "us-east-1", parameters: [] }))).toBe(false);
    const lc = { ...exposure, launch: { kind: "launch-configuration" as const, name: "old" } };
    const plan = planFix({ exposure: lc, reading, region: "us-east-1", parameters: [] });
    expect(isFixPlan(plan)).toBe(false);
    expect("reason" in plan && plan.reason).toMatch(/launch configuration/);
  });
});
