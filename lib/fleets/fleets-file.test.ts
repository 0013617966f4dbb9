import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig } from "../config.ts";
import { FleetDoctorError } from "../errors.ts";
import { parseFleetsFile, readFleetsFile, roleArn } from "./fleets-file.ts";

const dir = mkdtempSync(path.join(tmpdir(), "fleets-file-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function messageOf(text: string, file = "fleets.yaml"): string {
  try {
    parseFleetsFile(text, file);
  } catch (e) {
    expect(e).toBeInstanceOf(FleetDoctorError);
    return (e as Error).message;
  }
  throw new Error("the file was accepted");
}

describe("parseFleetsFile", () => {
  it("reads accounts with defaults applied: the default role (a name) with the external id on the last hop", () => {
    const spec = parseFleetsFile(
      `defaults:
  role: FleetDoctorMember
  regions: [us-east-1, eu-west-1]
accounts:
  - account_id: "111111111111"
    name: prod
    external_id: fleet-doctor-demo
  - account_id: 222222222222
    regions: all
  - account_id: "333333333333"
    roles:
      - arn:aws:iam::444444444444:role/Jump
      - { role: Member, external_id: hop-two }
  - account_id: "555555555555"
    role: arn:aws:iam::555555555555:role/Other
`,
      "fleets.yaml",
    );
    expect(spec.accounts).toEqual([
      {
        entry: "accounts[0]",
        account: "111111111111",
        name: "prod",
        roles: [{ role: "FleetDoctorMember", externalId: "fleet-doctor-demo" }],
        regions: ["us-east-1", "eu-west-1"],
      },
      {
        entry: "accounts[1]",
        account: "222222222222",
        roles: [{ role: "FleetDoctorMember" }],
        regions: "all",
      },
      {
        entry: "accounts[2]",
        account: "333333333333",
        roles: [{ role: "arn:aws:iam::444444444444:role/Jump" }, { role: "Member", externalId: "hop-two" }],
        regions: ["us-east-1", "eu-west-1"],
      },
      {
        entry: "accounts[3]",
        account: "555555555555",
        roles: [{ role: "arn:aws:iam::555555555555:role/Other" }],
        regions: ["us-east-1", "eu-west-1"],
      },
    ]);
    expect(spec.organization).toBeUndefined();
  });

  it("reads the same file as JSON, by extension or by a leading brace", () => {
    const json = JSON.stringify({
      accounts: [{ account_id: "111111111111", role: "R", regions: ["us-west-2"] }],
      organization: {
        role: "FleetDoctorMember",
        ous: ["ou-root-workloads"],
        exclude: ["123456789012"],
        regions: "all",
      },
    });
    const expected = {
      file: "f.json",
      accounts: [{ entry: "accounts[0]", account: "111111111111", roles: [{ role: "R" }], regions: ["us-west-2"] }],
      organization: {
        role: "FleetDoctorMember",
        ous: ["ou-root-workloads"],
        exclude: ["123456789012"],
        regions: "all",
      },
    };
    expect(parseFleetsFile(json, "f.json")).toEqual(expected);
    expect(parseFleetsFile(json, "fleets")).toEqual({ ...expected, file: "fleets" });
    expect(messageOf('{"accounts": [}', "f.json")).toMatch(/^f\.json: not valid JSON/);
  });

  it("an account without a role is read with the default credentials", () => {
    const spec = parseFleetsFile(`accounts: [{ account_id: "111111111111", regions: [us-east-1] }]`, "f.yaml");
    expect(spec.accounts[0]!.roles).toEqual([]);
  });

  it("the organization takes its role, external id and regions from the defaults", () => {
    const spec = parseFleetsFile(
      `defaults: { role: FleetDoctorMember, external_id: shared-id, regions: [us-east-1] }\norganization: {}\n`,
      "f.yaml",
    );
    expect(spec.organization).toEqual({
      role: "FleetDoctorMember",
      externalId: "shared-id",
      ous: [],
      exclude: [],
      regions: ["us-east-1"],
    });
  });

  it.each([
    [
      `accounts:\n  - { account_id: "111111111111", regions: [us-east-1] }\n  - { account_id: "222222222222", regions: [us-east-1] }\n  - { account_id: "333333333333", regions: [us-east-1, us-eest-1] }\n`,
      'fleets.yaml: accounts[2].regions[1]: "us-eest-1" is not a region name',
    ],
    [`accounts: [{ account_id: "12345", regions: [us-east-1] }]`, 'accounts[0].account_id: "12345" is not a 12-digit'],
    [
      `accounts: [{ account_id: 012345678901, regions: [us-east-1] }]`,
      "accounts[0].account_id: 12345678901 is not a 12-digit account id (quote account ids",
    ],
    [`accounts: [{ account_id: "111111111111" }]`, "accounts[0].regions: required (here or in defaults.regions)"],
    [`accounts: [{ account_id: "111111111111", regions: [] }]`, "accounts[0].regions: list at least one region"],
    [`accounts: [{ account_id: "111111111111", regions: every }]`, "accounts[0].regions: expected a list of region"],
    [`accounts: [{ account_id: "111111111111", region: us-east-1 }]`, 'accounts[0]: unknown key "region"'],
    [
      `accounts: [{ account_id: "111111111111", role: "arn:aws:iam::1:role/x", regions: [us-east-1] }]`,
      'accounts[0].role: "arn:aws:iam::1:role/x" is not a role ARN or name',
    ],
    [
      `accounts: [{ account_id: "111111111111", role: A, roles: [B], regions: [us-east-1] }]`,
      "accounts[0]: give role or roles (a chain), not both",
    ],
    [
      `accounts: [{ account_id: "111111111111", roles: [A, { role: B, external: x }], regions: [us-east-1] }]`,
      'accounts[0].roles[1]: unknown key "external"',
    ],
    [
      `accounts: [{ account_id: "111111111111", roles: [A, 7], regions: [us-east-1] }]`,
      "accounts[0].roles[1]: expected a role (ARN or name), or { role, external_id }",
    ],
    [
      `accounts: [{ account_id: "111111111111", external_id: abc, regions: [us-east-1] }]`,
      "accounts[0].external_id: goes with a role",
    ],
    [
      `accounts:\n  - { account_id: "111111111111", regions: [us-east-1] }\n  - { account_id: "111111111111", regions: [eu-west-1] }\n`,
      "accounts[1].account_id: 111111111111 is also accounts[0]",
    ],
    [`organization: { role: R, ous: [root], regions: all }`, 'organization.ous[0]: "root" is not an OU id'],
    [`organization: { regions: all }`, "organization.role: required"],
    [`organization: { role: "arn:aws:iam::111111111111:role/R", regions: all }`, "organization.role: "],
    [`organization: { role: R, exclude: ["1"], regions: all }`, 'organization.exclude[0]: "1" is not a 12-digit'],
    [`defaults: { regions: [us-east] }\naccounts: []`, 'defaults.regions[0]: "us-east" is not a region'],
    [`accounts: []`, "fleets.yaml: list accounts, or an organization"],
    [``, "fleets.yaml: list accounts, or an organization"],
    [`fleets: []`, 'fleets.yaml: unknown key "fleets"'],
    [`accounts: [\n  {`, "fleets.yaml: not valid YAML (line"],
  ])("names the bad entry: %s", (text, message) => {
    expect(messageOf(text)).toContain(message);
  });

  it("never echoes an external id, even from a line YAML cannot read", () => {
    const secret = "s3cr3t-external-id";
    expect(
      messageOf(`accounts: [{ account_id: "111111111111", role: R, external_id: "${secret}\u0001", regions: [x] }]`),
    ).not.toContain(secret);
    const broken = messageOf(`accounts:\n  - account_id: "111111111111"\n    external_id: [${secret}\n    role: R\n`);
    expect(broken).toMatch(/not valid YAML/);
    expect(broken).not.toContain(secret);
    expect(messageOf(`{"accounts": [{"external_id": "${secret}" ]}`, "f.json")).not.toContain(secret);
  });

  it("expands a role name to the ARN in the fleet's account and partition", () => {
    expect(roleArn("FleetDoctorMember", "111111111111", "eu-west-1")).toBe(
      "arn:aws:iam::111111111111:role/FleetDoctorMember",
    );
    expect(roleArn("R", "111111111111", "cn-north-1")).toBe("arn:aws-cn:iam::111111111111:role/R");
    expect(roleArn("arn:aws:iam::222222222222:role/R", "111111111111", "us-east-1")).toBe(
      "arn:aws:iam::222222222222:role/R",
    );
  });
});

describe("the fleets file at start", () => {
  it("a bad file stops the configuration with the variable, the file and the entry", () => {
    const file = path.join(dir, "fleets.yaml");
    writeFileSync(file, `accounts:\n  - { account_id: "111111111111", regions: [us-eest-1] }\n`);
    expect(() => parseConfig({ FLEET_DOCTOR_FLEETS: file })).toThrow(
      'Invalid environment variable FLEET_DOCTOR_FLEETS: fleets.yaml: accounts[0].regions[0]: "us-eest-1" is not a region name',
    );
    expect(() => parseConfig({ FLEET_DOCTOR_FLEETS: path.join(dir, "missing.yaml") })).toThrow(
      /FLEET_DOCTOR_FLEETS: .*missing\.yaml: no such file/,
    );
  });

  it("a good file is read once into the configuration", () => {
    const file = path.join(dir, "ok.yml");
    writeFileSync(file, `accounts: [{ account_id: "111111111111", regions: [us-east-1] }]\n`);
    const c = parseConfig({ FLEET_DOCTOR_FLEETS: file });
    expect(c.fleetsFile).toBe(file);
    expect(c.fleets?.accounts.map((a) => a.account)).toEqual(["111111111111"]);
    expect(parseConfig({}).fleets).toBeUndefined();
  });

  it("the shipped example for the multi scenario is valid", () => {
    const file = path.resolve(import.meta.dirname, "../../examples/fleets.multi.yaml");
    const spec = readFleetsFile(file);
    expect(spec.accounts.map((a) => [a.account, a.name, a.roles, a.regions])).toEqual([
      [
        "111111111111",
        "prod",
        [{ role: "FleetDoctorMember", externalId: "fleet-doctor-demo" }],
        ["us-east-1", "eu-west-1"],
      ],
      ["222222222222", "staging", [{ role: "FleetDoctorMember" }], ["us-east-1", "eu-west-1"]],
      ["333333333333", "sandbox", [{ role: "FleetDoctorMember" }], ["us-east-1", "eu-west-1"]],
    ]);
    expect(readFileSync(file, "utf8")).toContain("FLEET_DOCTOR_FLEETS");
  });
});
