/**
 * One simulator, many fleets: the `multi` scenario through the real SDK clients (STS, SSM, Organizations, Auto
 * Scaling) and the real AWS CLI. The account of a request is its access key's (AssumeRole's keys belong to the
 * role's account), its region the signing scope's; every answer comes from that fleet.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import {
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  OrganizationsClient,
  paginateListAccounts,
} from "@aws-sdk/client-organizations";
import {
  GetCommandInvocationCommand,
  type GetCommandInvocationCommandOutput,
  GetParametersByPathCommand,
  paginateDescribeInstanceInformation,
  paginateGetParametersByPath,
  SendCommandCommand,
  SSMClient,
} from "@aws-sdk/client-ssm";
import {
  AssumeRoleCommand,
  type AssumeRoleCommandInput,
  GetCallerIdentityCommand,
  STSClient,
} from "@aws-sdk/client-sts";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { generateMultiScenario, generateScenario, parseScenario } from "./fleet/index.ts";
import { type Simulator, startSimulator } from "./main.ts";

const MANAGEMENT = "123456789012";
const PROD = "111111111111";
const STAGING = "222222222222";
const SANDBOX = "333333333333";
const SHARED = "i-0a1b2c3d4e5f60718";
const role = (account: string, name = "FleetDoctorMember") => `arn:aws:iam::${account}:role/${name}`;
const base = { accessKeyId: "test", secretAccessKey: "test" };
type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

let sim: Simulator;
const clients: { destroy(): void }[] = [];
function client<T extends { destroy(): void }>(c: T): T {
  clients.push(c);
  return c;
}
const sts = (credentials: Creds = base, region = "us-east-1") =>
  client(new STSClient({ endpoint: sim.url, region, credentials, maxAttempts: 1 }));
const ssm = (credentials: Creds = base, region = "us-east-1") =>
  client(new SSMClient({ endpoint: sim.url, region, credentials, maxAttempts: 1 }));
const orgs = (credentials: Creds = base) =>
  client(new OrganizationsClient({ endpoint: sim.url, region: "us-east-1", credentials, maxAttempts: 1 }));

async function assume(input: Partial<AssumeRoleCommandInput> & { RoleArn: string }, from: Creds = base) {
  const out = await sts(from).send(new AssumeRoleCommand({ RoleSessionName: "fleet-doctor", ...input }));
  const c = out.Credentials!;
  return {
    out,
    creds: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! },
  };
}

/** Every managed node the caller sees in a region, through the SDK's paginator. */
async function instanceIds(credentials: Creds, region: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const p of paginateDescribeInstanceInformation({ client: ssm(credentials, region) }, {}))
    for (const i of p.InstanceInformationList ?? []) ids.push(i.InstanceId!);
  return ids.sort();
}

async function stsError(p: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await p;
  } catch (e) {
    const x = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: x.name, message: x.message, status: x.$metadata?.httpStatusCode };
  }
  throw new Error("expected the call to fail");
}

const json = async (path: string) => (await fetch(`${sim.url}${path}`)).json() as Promise<Record<string, unknown>>;

beforeAll(async () => {
  sim = await startSimulator({ scenario: "multi", exec: "model", invisibleMs: 0 });
}, 60_000);
afterAll(async () => {
  for (const c of clients) c.destroy();
  await sim?.close();
});
beforeEach(async () => {
  await fetch(`${sim.url}/_sim/calls`, { method: "DELETE" });
});

describe("STS: accounts by credentials", () => {
  it("answers keys it did not issue as the default (management) account's user", async () => {
    const id = await sts().send(new GetCallerIdentityCommand({}));
    expect(id).toMatchObject({ Account: MANAGEMENT, Arn: `arn:aws:iam::${MANAGEMENT}:user/fleet-doctor-sim` });
  });

  it("AssumeRole gives session credentials of the role's account; GetCallerIdentity names the session", async () => {
    const { out, creds } = await assume({ RoleArn: role(STAGING), RoleSessionName: "scan-1" });
    expect(out.Credentials!.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(out.Credentials!.Expiration!.getTime() - Date.now()).toBeGreaterThan(3590_000);
    expect(out.Credentials!.Expiration!.getTime() - Date.now()).toBeLessThanOrEqual(3600_000);
    expect(out.AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${STAGING}:assumed-role/FleetDoctorMember/scan-1`);
    expect(out.AssumedRoleUser!.AssumedRoleId).toMatch(/^AROA[A-Z2-7]{17}:scan-1$/);
    const id = await sts(creds).send(new GetCallerIdentityCommand({}));
    expect(id.Account).toBe(STAGING);
    expect(id.Arn).toBe(`arn:aws:sts::${STAGING}:assumed-role/FleetDoctorMember/scan-1`);
    expect(id.UserId).toBe(out.AssumedRoleUser!.AssumedRoleId);
    const calls = (await json("/_sim/calls?op=GetCallerIdentity")).calls as Record<string, unknown>[];
    expect(calls.map((c) => [c.account, c.region])).toEqual([[STAGING, "us-east-1"]]);
  });

  it("honours DurationSeconds within the role's MaxSessionDuration", async () => {
    const { out } = await assume({ RoleArn: role(PROD), ExternalId: "fleet-doctor-demo", DurationSeconds: 43200 });
    expect(out.Credentials!.Expiration!.getTime() - Date.now()).toBeGreaterThan(43190_000);
    const e = await stsError(assume({ RoleArn: role(STAGING), DurationSeconds: 7200 }));
    expect(e).toMatchObject({ name: "ValidationError", status: 400 });
    expect(e.message).toContain("MaxSessionDuration");
  });

  it("refuses a role that trusts nobody, or does not exist, as AccessDenied naming the caller and the role", async () => {
    for (const arn of [role(SANDBOX), role(STAGING, "NoSuchRole"), role("444444444444")]) {
      const e = await stsError(assume({ RoleArn: arn }));
      expect(e).toEqual({
        name: "AccessDenied",
        status: 403,
        message: `User: arn:aws:iam::${MANAGEMENT}:user/fleet-doctor-sim is not authorized to perform: sts:AssumeRole on resource: ${arn}`,
      });
    }
  });

  it("requires prod's ExternalId: missing or wrong is AccessDenied, right is allowed", async () => {
    expect(await stsError(assume({ RoleArn: role(PROD) }))).toMatchObject({ name: "AccessDenied", status: 403 });
    expect(await stsError(assume({ RoleArn: role(PROD), ExternalId: "guess-again" }))).toMatchObject({
      name: "AccessDenied",
    });
    const { creds } = await assume({ RoleArn: role(PROD), ExternalId: "fleet-doctor-demo" });
    expect((await sts(creds).send(new GetCallerIdentityCommand({}))).Account).toBe(PROD);
  });

  it("chains roles: a staging session may assume the sandbox role that trusts it; the management user may not", async () => {
    const hop1 = await assume({ RoleArn: role(STAGING) });
    const hop2 = await assume({ RoleArn: role(SANDBOX, "FleetDoctorFromStaging"), RoleSessionName: "hop" }, hop1.creds);
    expect(hop2.out.AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${SANDBOX}:assumed-role/FleetDoctorFromStaging/hop`);
    expect((await sts(hop2.creds).send(new GetCallerIdentityCommand({}))).Account).toBe(SANDBOX);
    expect(await instanceIds(hop2.creds, "us-east-1")).toHaveLength(8);
    // The trust is for staging's role, not for the management account.
    expect(await stsError(assume({ RoleArn: role(SANDBOX, "FleetDoctorFromStaging") }))).toMatchObject({
      name: "AccessDenied",
    });
    // A staging session is not trusted by prod's role (it trusts the management account only).
    const e = await stsError(assume({ RoleArn: role(PROD), ExternalId: "fleet-doctor-demo" }, hop1.creds));
    expect(e.message).toBe(
      `User: arn:aws:sts::${STAGING}:assumed-role/FleetDoctorMember/fleet-doctor is not authorized to perform: sts:AssumeRole on resource: ${role(PROD)}`,
    );
    // Role chaining caps the session at one hour.
    const long = await stsError(
      assume({ RoleArn: role(SANDBOX, "FleetDoctorFromStaging"), DurationSeconds: 3601 }, hop1.creds),
    );
    expect(long).toMatchObject({ name: "ValidationError" });
    expect(long.message).toContain("role chaining");
  });

  it("answers malformed input with ValidationError (400)", async () => {
    const cases: [Partial<AssumeRoleCommandInput>, string][] = [
      [{ RoleSessionName: "x" }, "roleSessionName"],
      [{ RoleSessionName: "has space" }, "roleSessionName"],
      [{ RoleSessionName: "a".repeat(65) }, "roleSessionName"],
      [{ DurationSeconds: 899 }, "durationSeconds"],
      [{ DurationSeconds: 43201 }, "durationSeconds"],
      [{ ExternalId: "x" }, "externalId"],
    ];
    for (const [input, field] of cases) {
      const e = await stsError(assume({ RoleArn: role(STAGING), ...input }));
      expect(e).toMatchObject({ name: "ValidationError", status: 400 });
      expect(e.message).toContain(`at '${field}'`);
    }
    expect(await stsError(assume({ RoleArn: "not-an-arn-but-long-enough" }))).toMatchObject({
      name: "ValidationError",
    });
  });

  it("refuses a session key sent with another session's token", async () => {
    const a = await assume({ RoleArn: role(STAGING) });
    const b = await assume({ RoleArn: role(STAGING) });
    const e = await stsError(
      sts({ ...a.creds, sessionToken: b.creds.sessionToken }).send(new GetCallerIdentityCommand({})),
    );
    expect(e).toMatchObject({ name: "InvalidClientTokenId", status: 403 });
  });
});

describe("per-fleet answers", () => {
  it("each account and region sees its own fleet; the management account has no hosts", async () => {
    const prod = (await assume({ RoleArn: role(PROD), ExternalId: "fleet-doctor-demo" })).creds;
    const staging = (await assume({ RoleArn: role(STAGING) })).creds;
    const seen = {
      prodUs: await instanceIds(prod, "us-east-1"),
      prodEu: await instanceIds(prod, "eu-west-1"),
      stagingUs: await instanceIds(staging, "us-east-1"),
      stagingEu: await instanceIds(staging, "eu-west-1"),
      management: await instanceIds(base, "us-east-1"),
    };
    // The scenario's stopped-free fleets: every host is listed.
    const fleets = (await json("/_sim/fleets")).fleets as { id: string; hosts: number }[];
    const count = (id: string) => fleets.find((f) => f.id === id)!.hosts;
    expect(seen.prodUs).toHaveLength(count(`${PROD}/us-east-1`));
    expect(seen.prodEu).toHaveLength(count(`${PROD}/eu-west-1`));
    expect(seen.stagingUs).toHaveLength(count(`${STAGING}/us-east-1`));
    expect(seen.stagingEu).toHaveLength(count(`${STAGING}/eu-west-1`));
    expect(seen.management).toEqual([]);
    expect(new Set(Object.values(seen).map((ids) => ids.join()))).toHaveProperty("size", 5);
    for (const ids of [seen.prodUs, seen.prodEu, seen.stagingUs, seen.stagingEu]) {
      expect(ids.length).toBeGreaterThanOrEqual(8);
      expect(ids.length).toBeLessThanOrEqual(15);
    }
    expect(seen.prodUs).toContain(SHARED);
    expect(seen.stagingUs).toContain(SHARED);
    expect(seen.prodEu).not.toContain(SHARED);
    // Auto Scaling answers from the same fleet: prod's eu-west-1 groups are not us-east-1's.
    const asg = (region: string) =>
      client(new AutoScalingClient({ endpoint: sim.url, region, credentials: prod, maxAttempts: 1 }));
    const groups = async (region: string) =>
      ((await asg(region).send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups ?? []).map((g) => [
        g.AutoScalingGroupName,
        g.AutoScalingGroupARN!.split(":").slice(3, 5).join(":"),
      ]);
    expect(await groups("us-east-1")).toEqual([
      ["web", `us-east-1:${PROD}`],
      ["batch", `us-east-1:${PROD}`],
    ]);
    expect(await groups("eu-west-1")).toEqual([
      ["api", `eu-west-1:${PROD}`],
      ["jobs", `eu-west-1:${PROD}`],
    ]);
  });

  it("the same instance id in two accounts is two instances, each with its own host endpoints", async () => {
    const prod = (await assume({ RoleArn: role(PROD), ExternalId: "fleet-doctor-demo" })).creds;
    const staging = (await assume({ RoleArn: role(STAGING) })).creds;
    const prodHost = await json(`/_sim/hosts/${SHARED}?account=${PROD}&region=us-east-1`);
    const stagingHost = await json(`/_sim/hosts/${SHARED}?account=${STAGING}&region=us-east-1`);
    expect(prodHost.expect).toBe("lifecycle-404:ready");
    expect(stagingHost.expect).toBe("healthy");
    // A script on each reads its own IMDS: the instance identity document names its own account.
    const script = [
      "#!/bin/bash",
      'T=$(curl -s -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" "$FLEET_DOCTOR_IMDS_URL/latest/api/token")',
      'curl -s -H "X-aws-ec2-metadata-token: $T" "$FLEET_DOCTOR_IMDS_URL/latest/dynamic/instance-identity/document"',
    ];
    const identity = async (creds: Creds) => {
      const c = ssm(creds);
      const sent = await c.send(
        new SendCommandCommand({
          DocumentName: "AWS-RunShellScript",
          InstanceIds: [SHARED],
          Parameters: { commands: script },
        }),
      );
      let inv: GetCommandInvocationCommandOutput;
      for (;;) {
        inv = await c.send(
          new GetCommandInvocationCommand({ CommandId: sent.Command!.CommandId!, InstanceId: SHARED }),
        );
        if (inv.Status !== "Pending" && inv.Status !== "InProgress") break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(inv.Status).toBe("Success");
      return JSON.parse(inv.StandardOutputContent!) as { accountId: string; region: string };
    };
    expect(await identity(prod)).toMatchObject({ accountId: PROD, region: "us-east-1" });
    expect(await identity(staging)).toMatchObject({ accountId: STAGING, region: "us-east-1" });
    // Each account's commands are its own.
    const sends = (await json("/_sim/calls?op=SendCommand")).calls as { account: string }[];
    expect(sends.map((c) => c.account).sort()).toEqual([PROD, STAGING]);
  }, 30_000);

  it("takes the region from the signing scope; a region with no fleet is empty", async () => {
    const staging = (await assume({ RoleArn: role(STAGING) })).creds;
    expect(await instanceIds(staging, "ap-south-1")).toEqual([]);
    const e = await stsError(
      ssm(staging, "ap-south-1").send(
        new SendCommandCommand({
          DocumentName: "AWS-RunShellScript",
          InstanceIds: [SHARED],
          Parameters: { commands: ["true"] },
        }),
      ),
    );
    expect(e.name).toBe("InvalidInstanceId");
    expect(await instanceIds(base, "eu-west-1")).toEqual([]);
    const calls = (await json("/_sim/calls?op=DescribeInstanceInformation")).calls as Record<string, unknown>[];
    expect(calls.map((c) => `${c.account}/${c.region}`)).toEqual([`${STAGING}/ap-south-1`, `${MANAGEMENT}/eu-west-1`]);
    const filtered = (await json(`/_sim/calls?account=${STAGING}&region=ap-south-1`)).calls as unknown[];
    expect(filtered).toHaveLength(2);
  });
});

describe("Organizations", () => {
  it("lists the organization's accounts page by page to the management account", async () => {
    const pages: string[][] = [];
    for await (const p of paginateListAccounts({ client: orgs(), pageSize: 1 }, {}))
      pages.push((p.Accounts ?? []).map((a) => a.Id!));
    expect(pages).toEqual([[MANAGEMENT], [PROD], [STAGING], [SANDBOX]]);
    const all = await orgs().send(new ListAccountsCommand({}));
    expect(all.NextToken).toBeUndefined();
    const prod = all.Accounts!.find((a) => a.Id === PROD)!;
    expect(prod).toMatchObject({
      Name: "prod",
      Email: "aws-prod@example.com",
      Status: "ACTIVE",
      JoinedMethod: "INVITED",
      Arn: `arn:aws:organizations::${MANAGEMENT}:account/o-fleetdoc01/${PROD}`,
    });
    expect(prod.JoinedTimestamp).toBeInstanceOf(Date);
    expect(Date.now() - prod.JoinedTimestamp!.getTime()).toBeGreaterThan(300 * 86400_000);
  });

  it("lists roots, OUs and the accounts of a parent", async () => {
    const roots = await orgs().send(new ListRootsCommand({}));
    expect(roots.Roots!.map((r) => r.Id)).toEqual(["r-root"]);
    const ous = await orgs().send(new ListOrganizationalUnitsForParentCommand({ ParentId: "r-root" }));
    expect(ous.OrganizationalUnits!.map((u) => u.Id)).toEqual(["ou-root-workloads", "ou-root-sandbox"]);
    const names = async (ParentId: string) =>
      ((await orgs().send(new ListAccountsForParentCommand({ ParentId }))).Accounts ?? []).map((a) => a.Name);
    expect(await names("ou-root-workloads")).toEqual(["prod", "staging"]);
    expect(await names("ou-root-sandbox")).toEqual(["sandbox"]);
    expect(await names("r-root")).toEqual(["management"]);
    const missing = await stsError(orgs().send(new ListAccountsForParentCommand({ ParentId: "ou-root-nowhere" })));
    expect(missing.name).toBe("ParentNotFoundException");
  });

  it("refuses member accounts and bad page sizes", async () => {
    const staging = (await assume({ RoleArn: role(STAGING) })).creds;
    expect(await stsError(orgs(staging).send(new ListAccountsCommand({})))).toEqual({
      name: "AccessDeniedException",
      status: 400,
      message: "You don't have permissions to access this resource.",
    });
    for (const MaxResults of [0, 21])
      expect((await stsError(orgs().send(new ListAccountsCommand({ MaxResults })))).name).toBe("InvalidInputException");
    expect((await stsError(orgs().send(new ListAccountsCommand({ NextToken: "garbage" })))).name).toBe(
      "InvalidInputException",
    );
  });
});

describe("SSM public parameters", () => {
  it("pages through /aws/service/global-infrastructure/regions", async () => {
    const pages: string[][] = [];
    for await (const p of paginateGetParametersByPath(
      { client: ssm(), pageSize: 4 },
      { Path: "/aws/service/global-infrastructure/regions" },
    ))
      pages.push((p.Parameters ?? []).map((x) => x.Value!));
    const regions = pages.flat();
    expect(pages.slice(0, -1).every((p) => p.length === 4)).toBe(true);
    expect(regions).toHaveLength(17);
    expect(regions).toEqual(expect.arrayContaining(["us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1"]));
    const one = await ssm(base, "eu-west-1").send(
      new GetParametersByPathCommand({ Path: "/aws/service/global-infrastructure/regions/", MaxResults: 1 }),
    );
    expect(one.Parameters).toEqual([
      expect.objectContaining({
        Name: "/aws/service/global-infrastructure/regions/ap-northeast-1",
        Value: "ap-northeast-1",
        Type: "String",
        ARN: "arn:aws:ssm:eu-west-1::parameter/aws/service/global-infrastructure/regions/ap-northeast-1",
      }),
    ]);
    expect(one.NextToken).toBeDefined();
    const none = await ssm().send(new GetParametersByPathCommand({ Path: "/aws/service/global-infrastructure" }));
    expect(none.Parameters).toEqual([]);
    const bad = await stsError(
      ssm().send(
        new GetParametersByPathCommand({ Path: "/aws/service/global-infrastructure/regions", MaxResults: 11 }),
      ),
    );
    expect(bad.name).toBe("ValidationException");
  });
});

describe("control API per fleet", () => {
  it("lists fleets, and selects one with ?account=&region=", async () => {
    const fleets = (await json("/_sim/fleets")).fleets as {
      id: string;
      account: string;
      region: string;
      hosts: number;
    }[];
    expect(fleets.map((f) => f.id)).toEqual([
      `${MANAGEMENT}/us-east-1`,
      `${PROD}/us-east-1`,
      `${PROD}/eu-west-1`,
      `${STAGING}/us-east-1`,
      `${STAGING}/eu-west-1`,
      `${SANDBOX}/us-east-1`,
      `${SANDBOX}/eu-west-1`,
    ]);
    expect(fleets[0]!.hosts).toBe(0);
    const hosts = (await json(`/_sim/hosts?account=${PROD}&region=eu-west-1`)).hosts as { instanceId: string }[];
    expect(hosts).toHaveLength(fleets[2]!.hosts);
    expect(((await json("/_sim/hosts")).hosts as unknown[]).length).toBe(0);
    const missing = await fetch(`${sim.url}/_sim/hosts?account=${PROD}&region=ap-south-1`);
    expect(missing.status).toBe(404);
    const bad = await fetch(`${sim.url}/_sim/hosts?account=12345`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain("account");
  });

  it("attaches and detaches in the selected fleet only", async () => {
    const q = `?account=${STAGING}&region=us-east-1`;
    const target = `i-02100000000000009`; // staging's standalone lifecycle-404 host
    const before = await json(`/_sim/hosts/${target}${q}`);
    expect(before.membership).toBeUndefined();
    const post = (path: string, body: unknown) =>
      fetch(`${sim.url}${path}`, { method: "POST", body: JSON.stringify(body) });
    expect((await post(`/_sim/hosts/${target}/attach${q}`, { group: "web" })).status).toBe(200);
    expect((await json(`/_sim/hosts/${target}${q}`)).membership).toMatchObject({ group: "web" });
    // The default fleet has no such host.
    expect((await post(`/_sim/hosts/${target}/attach`, { group: "web" })).status).toBe(404);
    expect((await post(`/_sim/hosts/${target}/detach${q}`, {})).status).toBe(200);
    expect((await json(`/_sim/hosts/${target}${q}`)).membership).toBeUndefined();
  });
});

describe("scenario format", () => {
  const minimal = (accounts: unknown, extra: Record<string, unknown> = {}) => ({
    name: "m",
    hosts: [],
    accounts,
    ...extra,
  });
  const host = { id: "i-0123456789abcdef0", agentVersion: "1.91.1", launchedAgo: "1h" };

  it("names the bad field of an account, its roles and its fleets", () => {
    const bad: [unknown, Record<string, unknown>, string][] = [
      [[{ id: "1234", name: "x" }], {}, "accounts[0].id"],
      [[{ id: PROD, name: "x", fleets: [{ region: "mars-1", hosts: [] }] }], {}, "accounts[0].fleets[0].region"],
      [
        [{ id: PROD, name: "x", fleets: [{ region: "eu-west-1", hosts: [{ ...host, agentVersion: "new" }] }] }],
        {},
        "accounts[0].fleets[0].hosts[0].agentVersion",
      ],
      [
        [{ id: PROD, name: "x", fleets: [{ region: "eu-west-1", hosts: [host, host] }] }],
        {},
        "accounts[0].fleets[0].hosts[1].id",
      ],
      [
        [{ id: PROD, name: "x", roles: [{ name: "R", trustedBy: ["someone"] }] }],
        {},
        "accounts[0].roles[0].trustedBy[0]",
      ],
      [[{ id: PROD, name: "x", roles: [{ name: "R", externalId: "x" }] }], {}, "accounts[0].roles[0].externalId"],
      [
        [
          { id: PROD, name: "a" },
          { id: PROD, name: "b" },
        ],
        {},
        "accounts[1].id",
      ],
      [[{ id: PROD, name: "x", parent: "ou-root-nowhere" }], { organization: {} }, "accounts[0].parent"],
      [
        [{ id: MANAGEMENT, name: "x", fleets: [{ region: "us-east-1", hosts: [] }] }],
        {},
        "accounts[0].fleets[0].region",
      ],
      [
        [{ id: PROD, name: "x", fleets: [{ region: "eu-west-1", hosts: [{ ...host, group: { name: "nope" } }] }] }],
        {},
        "accounts[0].fleets[0].hosts[0].group.name",
      ],
    ];
    for (const [accounts, extra, field] of bad)
      expect(() => parseScenario(minimal(accounts, extra), "t.json")).toThrow(`t.json: ${field}:`);
  });

  it("generateMultiScenario spreads hosts over every member fleet, deterministically", () => {
    const s = generateMultiScenario({ accounts: 3, regions: ["us-east-1", "eu-west-1"], hosts: 60, seed: 2 });
    expect(s.accounts).toHaveLength(3);
    const fleets = s.accounts!.flatMap((a) => a.fleets.map((f) => ({ account: a.id, n: f.hosts.length })));
    expect(fleets).toHaveLength(6);
    expect(fleets.reduce((n, f) => n + f.n, 0)).toBe(60);
    expect(Math.max(...fleets.map((f) => f.n)) - Math.min(...fleets.map((f) => f.n))).toBeLessThanOrEqual(1);
    expect(s.hosts).toEqual([]);
    expect(generateMultiScenario({ accounts: 3, regions: ["us-east-1", "eu-west-1"], hosts: 60, seed: 2 })).toEqual(s);
    // Each fleet is a generateScenario fleet: its groups (in its region) and a mix of verdicts.
    const single = generateScenario({ hosts: 10, seed: 2 });
    const fleet = s.accounts![1]!.fleets[1]!;
    expect(fleet.groups.map((g) => g.name)).toEqual(single.groups.map((g) => g.name));
    expect(fleet.groups[0]!.availabilityZones).toEqual(["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
    expect(fleet.hosts.every((h) => h.expect !== undefined && h.tags.region === "eu-west-1")).toBe(true);
    const big = generateMultiScenario({ accounts: 2, regions: 2, hosts: 400, seed: 1 });
    const verdicts = new Set(big.accounts!.flatMap((a) => a.fleets.flatMap((f) => f.hosts.map((h) => h.expect))));
    expect(verdicts).toContain("healthy");
    expect(verdicts).toContain("lifecycle-404:ready");
    expect(s.accounts![0]!.roles.map((r) => r.name)).toEqual(["FleetDoctorMember"]);
  });
});

describe("the AWS CLI", () => {
  const run = promisify(execFile);
  const cli = async (env: Record<string, string>, ...args: string[]) => {
    const { stdout } = await run("aws", ["--endpoint-url", sim.url, "--output", "json", ...args], {
      env: { ...process.env, AWS_DEFAULT_REGION: "us-east-1", AWS_MAX_ATTEMPTS: "1", ...env },
    });
    return JSON.parse(stdout) as Record<string, unknown>;
  };
  const keys = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_SESSION_TOKEN: "" };

  it("assumes a role and sees that account's eu-west-1 fleet", async () => {
    const assumed = await cli(
      keys,
      "sts",
      "assume-role",
      "--role-arn",
      role(PROD),
      "--role-session-name",
      "cli",
      "--external-id",
      "fleet-doctor-demo",
    );
    const c = assumed.Credentials as Record<string, string>;
    const env = {
      AWS_ACCESS_KEY_ID: c.AccessKeyId!,
      AWS_SECRET_ACCESS_KEY: c.SecretAccessKey!,
      AWS_SESSION_TOKEN: c.SessionToken!,
    };
    expect(await cli(env, "sts", "get-caller-identity")).toMatchObject({
      Account: PROD,
      Arn: `arn:aws:sts::${PROD}:assumed-role/FleetDoctorMember/cli`,
    });
    const eu = await cli(env, "ssm", "describe-instance-information", "--region", "eu-west-1");
    const ids = (eu.InstanceInformationList as { InstanceId: string }[]).map((i) => i.InstanceId).sort();
    expect(ids).toEqual(
      await instanceIds(
        { accessKeyId: c.AccessKeyId!, secretAccessKey: "x", sessionToken: c.SessionToken! },
        "eu-west-1",
      ),
    );
    const accounts = await cli(keys, "organizations", "list-accounts");
    expect((accounts.Accounts as { Name: string }[]).map((a) => a.Name)).toEqual([
      "management",
      "prod",
      "staging",
      "sandbox",
    ]);
    const params = await cli(
      keys,
      "ssm",
      "get-parameters-by-path",
      "--path",
      "/aws/service/global-infrastructure/regions",
    );
    expect(params.Parameters as unknown[]).toHaveLength(17);
  }, 60_000);
});
