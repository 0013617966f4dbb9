// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are CloudFormation Fn::Sub templates
/**
 * deploy/fleet-doctor-member-role.yaml: it parses as CloudFormation YAML (its short-form tags included), it allows
 * every AWS call Fleet Doctor makes in a member account (read from lib/'s imports, so a new call without a new
 * permission fails here), and its only writes are SendCommand of AWS-RunShellScript to the account's instances
 * and CancelCommand.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseDocument, type Tags, type YAMLSeq } from "yaml";

const ROOT = path.resolve(import.meta.dirname, "..");

/** CloudFormation's short forms as their long forms (`!Sub x` is `{"Fn::Sub": x}`), scalar and list alike. */
const cfnTags: Tags = [
  { tag: "!Ref", resolve: (s: string) => ({ Ref: s }) },
  ...["Sub", "If", "Not", "Equals", "GetAtt", "Join", "Select", "Split"].flatMap((fn) => [
    { tag: `!${fn}`, resolve: (s: string) => ({ [`Fn::${fn}`]: s }) },
    { tag: `!${fn}`, collection: "seq" as const, resolve: (seq: YAMLSeq) => ({ [`Fn::${fn}`]: seq.toJSON() }) },
  ]),
];

type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
type Policy = { PolicyName: string; PolicyDocument: { Statement: Statement[] } };
type Template = {
  Parameters: Record<string, { NoEcho?: boolean }>;
  Resources: {
    FleetDoctorMember: {
      Type: string;
      Properties: {
        AssumeRolePolicyDocument: { Statement: Statement[] };
        Policies: (Policy | { "Fn::If": [string, Policy, unknown] })[];
      };
    };
  };
};

function loadTemplate(): Template {
  const doc = parseDocument(readFileSync(path.join(ROOT, "deploy/fleet-doctor-member-role.yaml"), "utf8"), {
    customTags: cfnTags,
  });
  // An unknown tag is only a warning to the yaml package; CloudFormation would reject the template.
  expect([...doc.errors, ...doc.warnings].map((e) => e.message)).toEqual([]);
  return doc.toJS() as Template;
}

const list = <T>(v: T | T[]) => (Array.isArray(v) ? v : [v]);
/** The policies always attached, and those only under a condition (`!If [Cond, policy, !Ref AWS::NoValue]`). */
const policies = (t: Template) =>
  t.Resources.FleetDoctorMember.Properties.Policies.map((p) =>
    "Fn::If" in p ? { condition: p["Fn::If"][0], policy: p["Fn::If"][1] } : { condition: undefined, policy: p },
  );
const statements = (t: Template, which: "always" | "all" = "all") =>
  policies(t)
    .filter((p) => which === "all" || p.condition === undefined)
    .flatMap((p) => p.policy.PolicyDocument.Statement);
const matches = (pattern: string, action: string) =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`, "i").test(action);

/** The IAM prefix of each SDK client whose calls go to member accounts (STS, Organizations and regions do not). */
const PREFIX: Record<string, string> = { ssm: "ssm", "auto-scaling": "autoscaling", ecs: "ecs", ec2: "ec2" };

/** Every AWS operation lib/ imports a command or paginator for, as IAM actions (`ssm:SendCommand`). */
function actionsOfLib(): string[] {
  const actions = new Set<string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      // lib/fleets runs in the Fleet Doctor account (Organizations, the regions' public parameters): not members.
      else if (/\.tsx?$/.test(e.name) && !e.name.includes(".test.") && !p.includes(`${path.sep}fleets${path.sep}`)) {
        const text = readFileSync(p, "utf8");
        for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"@aws-sdk\/client-([\w-]+)"/g)) {
          const prefix = PREFIX[m[2]!];
          if (!prefix) continue;
          for (const name of m[1]!.split(",").map((s) => s.replace(/^\s*type\s+/, "").trim())) {
            const op = /^(\w+)Command$/.exec(name)?.[1] ?? /^paginate(\w+)$/.exec(name)?.[1];
            if (op) actions.add(`${prefix}:${op}`);
          }
        }
      }
    }
  };
  walk(path.join(ROOT, "lib"));
  return [...actions].sort();
}

describe("the member-account role template", () => {
  it("parses as CloudFormation YAML and keeps the external id out of the console", () => {
    const t = loadTemplate();
    expect(t.Resources.FleetDoctorMember.Type).toBe("AWS::IAM::Role");
    expect(t.Parameters.ExternalId?.NoEcho).toBe(true);
  });

  it("trusts the Fleet Doctor account, with the external id as a condition", () => {
    const [trust, ...rest] = loadTemplate().Resources.FleetDoctorMember.Properties.AssumeRolePolicyDocument.Statement;
    expect(rest).toEqual([]);
    expect(trust).toMatchObject({ Effect: "Allow", Action: "sts:AssumeRole" });
    expect(JSON.stringify(trust)).toContain("${FleetDoctorAccountId}:root");
    expect(trust!.Condition).toEqual({
      "Fn::If": [
        "HasExternalId",
        { StringEquals: { "sts:ExternalId": { Ref: "ExternalId" } } },
        { Ref: "AWS::NoValue" },
      ],
    });
  });

  it("allows every call Fleet Doctor makes in a member account", () => {
    const allowed = statements(loadTemplate()).filter((s) => s.Effect === "Allow");
    const actions = actionsOfLib();
    // The scan's calls at least: if this list shrinks, the walk over lib/ is broken, not the template.
    expect(actions).toEqual(
      expect.arrayContaining([
        "ssm:SendCommand",
        "ssm:DescribeInstanceInformation",
        "ssm:ListCommandInvocations",
        "autoscaling:DescribeAutoScalingInstances",
        "ecs:DescribeContainerInstances",
      ]),
    );
    const missing = actions.filter((a) => !allowed.some((s) => list(s.Action).some((p) => matches(p, a))));
    expect(missing).toEqual([]);
  });

  it("writes only through SendCommand of AWS-RunShellScript to the account's instances (and cancels its own)", () => {
    const all = statements(loadTemplate(), "always");
    const reads = /^(\w+:(Describe|List|Get)\w*\*?)$/;
    const writes = all.flatMap((s) => list(s.Action).filter((a) => !reads.test(a)));
    expect(writes.sort()).toEqual(["ssm:CancelCommand", "ssm:SendCommand"]);
    const send = all.find((s) => list(s.Action).includes("ssm:SendCommand"))!;
    expect(list(send.Action)).toEqual(["ssm:SendCommand"]);
    expect(send.Resource).toEqual([
      { "Fn::Sub": "arn:${AWS::Partition}:ssm:*::document/AWS-RunShellScript" },
      { "Fn::Sub": "arn:${AWS::Partition}:ec2:*:${AWS::AccountId}:instance/*" },
    ]);
    // GetParameters only of the public ECS AMI parameters, not the account's own (which may hold secrets).
    const params = all.find((s) => list(s.Action).includes("ssm:GetParameters"))!;
    expect(params.Resource).toEqual({ "Fn::Sub": "arn:${AWS::Partition}:ssm:*::parameter/aws/service/ecs/*" });
    expect(all.every((s) => s.Effect === "Allow" && !list(s.Action).some((a) => a === "*" || a.endsWith(":*")))).toBe(
      true,
    );
  });

  it("allows the group fix's three writes only when AllowGroupFixes is true, on this account's templates and groups", () => {
    const t = loadTemplate();
    const optional = policies(t).filter((p) => p.condition !== undefined);
    expect(optional.map((p) => p.condition)).toEqual(["GroupFixes"]);
    const actions = optional[0]!.policy.PolicyDocument.Statement.flatMap((s) => list(s.Action)).sort();
    expect(actions).toEqual([
      "autoscaling:StartInstanceRefresh",
      "autoscaling:UpdateAutoScalingGroup",
      "ec2:CreateLaunchTemplateVersion",
    ]);
    for (const s of optional[0]!.policy.PolicyDocument.Statement)
      expect(JSON.stringify(s.Resource)).toContain("${AWS::AccountId}");
  });

  it("reports an unknown tag (what CloudFormation would reject)", () => {
    const doc = parseDocument("a: !Bogus x\nb: !Sub ok", { customTags: cfnTags });
    expect(doc.warnings.map((w) => w.message).join()).toContain("!Bogus");
    expect(doc.toJS().b).toEqual({ "Fn::Sub": "ok" });
  });
});
