/**
 * listFleets against the simulator's `multi` scenario through the real SDK: Organizations (the whole organization,
 * or by OU), `regions: all` from SSM's public parameters of regions, and failures that become one entry's error.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator } from "../../sim/main.ts";
import { PUBLIC_REGIONS } from "../../sim/ssm/get-parameters-by-path.ts";
import { simCalls } from "../../test/helpers/sim.ts";
import { parseConfig } from "../config.ts";
import { listFleets } from "./list-fleets.ts";

let sim: Awaited<ReturnType<typeof startSimulator>>;
const dir = mkdtempSync(path.join(tmpdir(), "list-fleets-"));
let files = 0;

/** The configuration of a process started with this fleets file. */
function withFile(text: string) {
  const file = path.join(dir, `fleets-${++files}.yaml`);
  writeFileSync(file, text);
  return parseConfig({ FLEET_DOCTOR_FLEETS: file, AWS_REGION: "us-east-1", FLEET_DOCTOR_MAX_ATTEMPTS: "1" });
}

/** Runs `fn` with an environment variable set (the SDK reads endpoint overrides when a client is made). */
async function withEnv<T>(name: string, value: string, fn: () => Promise<T>): Promise<T> {
  const saved = process.env[name];
  process.env[name] = value;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env[name];
    else process.env[name] = saved;
  }
}

beforeAll(async () => {
  sim = await startSimulator({ scenario: "multi", exec: "model" });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: sim.url,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_REGION: "us-east-1",
  });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
}, 60_000);

afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("listFleets", () => {
  it("without a fleets file, the one fleet of the default credentials and region", async () => {
    const view = await listFleets(parseConfig({ AWS_REGION: "eu-west-1" }));
    expect(view).toEqual({
      source: "default",
      targets: [{ id: "123456789012/eu-west-1", account: "123456789012", region: "eu-west-1", roles: [] }],
      errors: [],
    });
  });

  it("the file's accounts times their regions, with role names expanded in each account", async () => {
    const view = await listFleets(
      withFile(`defaults: { role: FleetDoctorMember, regions: [us-east-1, eu-west-1] }
accounts:
  - { account_id: "111111111111", name: prod, external_id: fleet-doctor-demo }
  - { account_id: "222222222222", regions: [eu-west-1] }
`),
    );
    expect(view.errors).toEqual([]);
    expect(view.targets).toEqual([
      {
        id: "111111111111/us-east-1",
        account: "111111111111",
        region: "us-east-1",
        name: "prod",
        roles: [{ roleArn: "arn:aws:iam::111111111111:role/FleetDoctorMember", externalId: "fleet-doctor-demo" }],
      },
      {
        id: "111111111111/eu-west-1",
        account: "111111111111",
        region: "eu-west-1",
        name: "prod",
        roles: [{ roleArn: "arn:aws:iam::111111111111:role/FleetDoctorMember", externalId: "fleet-doctor-demo" }],
      },
      {
        id: "222222222222/eu-west-1",
        account: "222222222222",
        region: "eu-west-1",
        roles: [{ roleArn: "arn:aws:iam::222222222222:role/FleetDoctorMember" }],
      },
    ]);
  });

  it("discovers the accounts of an OU through Organizations, with their names", async () => {
    const before = (await simCalls(sim.url, "ListAccountsForParent")).length;
    const view = await listFleets(
      withFile(`organization: { role: FleetDoctorMember, ous: [ou-root-workloads], regions: [us-east-1] }\n`),
    );
    expect(view.errors).toEqual([]);
    expect(view.targets.map((t) => [t.id, t.name, t.roles])).toEqual([
      ["111111111111/us-east-1", "prod", [{ roleArn: "arn:aws:iam::111111111111:role/FleetDoctorMember" }]],
      ["222222222222/us-east-1", "staging", [{ roleArn: "arn:aws:iam::222222222222:role/FleetDoctorMember" }]],
    ]);
    const calls = (await simCalls(sim.url, "ListAccountsForParent")).slice(before);
    expect(calls.map((c) => c.params.ParentId)).toEqual(["ou-root-workloads"]);
  });

  it("discovers the whole organization, without the excluded accounts; the file's own entries win", async () => {
    const view = await listFleets(
      withFile(`accounts:
  - { account_id: "111111111111", role: FleetDoctorMember, external_id: fleet-doctor-demo, regions: [eu-west-1] }
organization: { role: FleetDoctorMember, exclude: ["123456789012"], regions: [us-east-1] }
`),
    );
    expect(view.errors).toEqual([]);
    expect(view.targets.map((t) => t.id)).toEqual([
      "111111111111/eu-west-1",
      "222222222222/us-east-1",
      "333333333333/us-east-1",
    ]);
    expect(view.targets[0]!.roles[0]!.externalId).toBe("fleet-doctor-demo");
    expect(view.targets[2]!.name).toBe("sandbox");
  });

  it("expands regions: all from SSM's public parameters of regions, every page of them", async () => {
    const before = (await simCalls(sim.url, "GetParametersByPath")).length;
    const view = await listFleets(withFile(`accounts: [{ account_id: "222222222222", regions: all }]\n`));
    expect(view.errors).toEqual([]);
    expect(view.targets.map((t) => t.region)).toEqual([...PUBLIC_REGIONS].sort());
    expect(view.targets.map((t) => t.id)).toContain("222222222222/eu-west-1");
    const calls = (await simCalls(sim.url, "GetParametersByPath")).slice(before);
    expect(calls[0]!.params.Path).toBe("/aws/service/global-infrastructure/regions");
    // More regions than one page holds (at most 10 a page): the paginator followed NextToken.
    expect(calls.length).toBeGreaterThan(1);
  });

  it("keeps a resolved file a while: a second listing asks Organizations nothing", async () => {
    const config = withFile(`organization: { role: FleetDoctorMember, regions: [us-east-1] }\n`);
    const before = (await simCalls(sim.url, "ListAccounts")).length;
    const first = await listFleets(config);
    const second = await listFleets(config);
    expect(second).toEqual(first);
    expect((await simCalls(sim.url, "ListAccounts")).length - before).toBe(1);
  });

  it("an organization or regions that cannot be read are errors of their entries, not a throw", async () => {
    const config = withFile(`accounts:
  - { account_id: "111111111111", regions: all }
  - { account_id: "222222222222", regions: [us-east-1] }
organization: { role: FleetDoctorMember, ous: [ou-root-sandbox], regions: [us-east-1] }
`);
    // Nothing listens on port 9: Organizations and SSM do not answer; STS-free entries still resolve.
    const view = await withEnv("AWS_ENDPOINT_URL_ORGANIZATIONS", "http://127.0.0.1:9", () =>
      withEnv("AWS_ENDPOINT_URL_SSM", "http://127.0.0.1:9", () => listFleets(config)),
    );
    expect(view.targets.map((t) => t.id)).toEqual(["222222222222/us-east-1"]);
    expect(view.errors.map((e) => [e.fleet, e.account, e.region])).toEqual([
      ["111111111111/all", "111111111111", "all"],
      ["organization", "", ""],
    ]);
    expect(view.errors[0]!.message).toMatch(
      /^The regions of account 111111111111 \(regions: all\) could not be listed/,
    );
    expect(view.errors[1]!.message).toMatch(/^Organizations could not list the accounts of ou-root-sandbox: /);
  });
});
