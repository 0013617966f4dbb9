/**
 * clientsForFleet against the simulator's `multi` scenario through the real SDK: the simulator's STS issues keys
 * that belong to the role's account, so what DescribeInstanceInformation answers shows whose fleet was read.
 */
import { paginateDescribeInstanceInformation } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startSimulator } from "../../sim/main.ts";
import { simCalls } from "../../test/helpers/sim.ts";
import type { Clients } from "../aws/clients.ts";
import { clientsForFleet, describeFleetError } from "./clients-for-fleet.ts";
import { sessionName } from "./session-name.ts";
import type { FleetTarget, RoleHop } from "./types.ts";

let sim: Awaited<ReturnType<typeof startSimulator>>;
const config = { maxAttempts: 2 };

const role = (account: string, name: string, externalId?: string): RoleHop => ({
  roleArn: `arn:aws:iam::${account}:role/${name}`,
  ...(externalId ? { externalId } : {}),
});
const target = (account: string, region: string, roles: RoleHop[]): FleetTarget => ({
  id: `${account}/${region}`,
  account,
  region,
  roles,
});

async function instanceIds(clients: Clients): Promise<string[]> {
  const ids: string[] = [];
  for await (const page of paginateDescribeInstanceInformation({ client: clients.ssm }, { MaxResults: 50 })) {
    for (const i of page.InstanceInformationList ?? []) ids.push(i.InstanceId!);
  }
  return ids.sort();
}

async function failureOf(clients: Clients): Promise<unknown> {
  try {
    await instanceIds(clients);
  } catch (e) {
    return e;
  }
  throw new Error("the fleet was read");
}

const assumeRoles = async () =>
  (await simCalls(sim.url, "AssumeRole")).map((c) => c.params as Record<string, string | undefined>);

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
});

describe("clientsForFleet", () => {
  it("assumes a role with its external id and reads that account's fleet in that region", async () => {
    const before = (await assumeRoles()).length;
    const prodEast = await instanceIds(
      clientsForFleet(
        target("111111111111", "us-east-1", [role("111111111111", "FleetDoctorMember", "fleet-doctor-demo")]),
        config,
        {
          user: "alice@example.com",
        },
      ),
    );
    const prodWest = await instanceIds(
      clientsForFleet(
        target("111111111111", "eu-west-1", [role("111111111111", "FleetDoctorMember", "fleet-doctor-demo")]),
        config,
        {
          user: "alice@example.com",
        },
      ),
    );
    const stagingEast = await instanceIds(
      clientsForFleet(target("222222222222", "us-east-1", [role("222222222222", "FleetDoctorMember")]), config, {
        user: "alice@example.com",
      }),
    );
    // The scenario's ids say their fleet: i-011... prod us-east-1, i-012... prod eu-west-1, i-021... staging us-east-1.
    expect(prodEast).toContain("i-0a1b2c3d4e5f60718");
    expect(prodEast.filter((id) => id !== "i-0a1b2c3d4e5f60718").every((id) => id.startsWith("i-011"))).toBe(true);
    expect(prodWest.length).toBeGreaterThan(0);
    expect(prodWest.every((id) => id.startsWith("i-012"))).toBe(true);
    // The same instance id in two accounts: each account sees its own.
    expect(stagingEast).toContain("i-0a1b2c3d4e5f60718");
    expect(stagingEast.filter((id) => id !== "i-0a1b2c3d4e5f60718").every((id) => id.startsWith("i-021"))).toBe(true);
    // The default credentials (the management account) see no hosts: the reads above went through the roles.
    expect(await instanceIds(clientsForFleet(target("123456789012", "us-east-1", []), config))).toEqual([]);

    const calls = (await assumeRoles()).slice(before);
    expect(calls).toHaveLength(3);
    expect(calls[0]).toMatchObject({
      RoleArn: "arn:aws:iam::111111111111:role/FleetDoctorMember",
      RoleSessionName: "fleet-doctor-alice@example.com",
      ExternalId: "fleet-doctor-demo",
    });
    expect(calls[2]).toMatchObject({ RoleArn: "arn:aws:iam::222222222222:role/FleetDoctorMember" });
    expect(calls[2]!.ExternalId).toBeUndefined();
  });

  it("follows a chain: each role assumed with the credentials of the one before", async () => {
    const before = (await assumeRoles()).length;
    const sandbox = target("333333333333", "eu-west-1", [
      role("222222222222", "FleetDoctorMember"),
      role("333333333333", "FleetDoctorFromStaging"),
    ]);
    const ids = await instanceIds(clientsForFleet(sandbox, config, { user: "bob" }));
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.every((id) => id.startsWith("i-032"))).toBe(true);
    const calls = (await assumeRoles()).slice(before);
    expect(calls.map((c) => [c.RoleArn, c.RoleSessionName])).toEqual([
      ["arn:aws:iam::222222222222:role/FleetDoctorMember", "fleet-doctor-bob"],
      ["arn:aws:iam::333333333333:role/FleetDoctorFromStaging", "fleet-doctor-bob"],
    ]);
  });

  it("assumes the role once for the fleet's three clients, and keeps the clients per fleet and user", async () => {
    const t = target("222222222222", "eu-west-1", [role("222222222222", "FleetDoctorMember")]);
    const before = (await assumeRoles()).length;
    const clients = clientsForFleet(t, config, { user: "carol" });
    await Promise.all([
      instanceIds(clients),
      clients.autoscaling.config.credentials(),
      clients.ecs.config.credentials(),
    ]);
    await instanceIds(clientsForFleet(t, config, { user: "carol" }));
    expect((await assumeRoles()).length - before).toBe(1);
    expect(clientsForFleet(t, config, { user: "carol" })).toBe(clients);
    expect(clientsForFleet(t, config, { user: "dave" })).not.toBe(clients);
    // Without roles the user is never sent: one set of clients for everyone.
    const own = target("123456789012", "us-east-1", []);
    expect(clientsForFleet(own, config, { user: "carol" })).toBe(clientsForFleet(own, config, { user: "dave" }));
  });

  it("renews the role's credentials five minutes before they expire, not before", async () => {
    const t = target("111111111111", "eu-west-1", [role("111111111111", "FleetDoctorMember", "fleet-doctor-demo")]);
    const clients = clientsForFleet(t, config, { user: "frank" });
    const before = (await assumeRoles()).length;
    await instanceIds(clients);
    // Only the clock moves (the SDK's and ours): the simulator's sessions last an hour, as STS's default does.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 50 * 60_000 });
    try {
      await instanceIds(clients);
      expect((await assumeRoles()).length - before).toBe(1);
      vi.setSystemTime(Date.now() + 6 * 60_000);
      await Promise.all([instanceIds(clients), clients.autoscaling.config.credentials()]);
      expect((await assumeRoles()).length - before).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it("a role that cannot be assumed fails the first call, and describeFleetError names the role and its account", async () => {
    const sandbox = target("333333333333", "us-east-1", [role("333333333333", "FleetDoctorMember")]);
    const e = await failureOf(clientsForFleet(sandbox, config, { user: "erin" }));
    const error = describeFleetError(e, sandbox);
    expect(error).toMatchObject({
      fleet: "333333333333/us-east-1",
      account: "333333333333",
      region: "us-east-1",
      code: "AccessDenied",
    });
    expect(error.message).toContain(
      "Role arn:aws:iam::333333333333:role/FleetDoctorMember in account 333333333333 could not be assumed (AccessDenied)",
    );
  });

  it("a missing external id is denied, and the message never shows an external id", async () => {
    const wrong = target("111111111111", "us-east-1", [role("111111111111", "FleetDoctorMember", "not-the-demo-id")]);
    const e = await failureOf(clientsForFleet(wrong, config, { user: "erin" }));
    const error = describeFleetError(e, wrong);
    expect(error.code).toBe("AccessDenied");
    expect(error.message).toContain("arn:aws:iam::111111111111:role/FleetDoctorMember in account 111111111111");
    expect(error.message).not.toContain("not-the-demo-id");
  });

  it("in a chain, names the hop that was denied", async () => {
    const chain = target("333333333333", "us-east-1", [
      role("222222222222", "FleetDoctorMember"),
      role("333333333333", "FleetDoctorMember"),
    ]);
    const error = describeFleetError(await failureOf(clientsForFleet(chain, config, { user: "erin" })), chain);
    expect(error.message).toContain(
      "Role arn:aws:iam::333333333333:role/FleetDoctorMember in account 333333333333 could not be assumed (hop 2 of 2)",
    );
    const first = target("333333333333", "us-east-1", [
      role("111111111111", "FleetDoctorMember"),
      role("333333333333", "FleetDoctorFromStaging"),
    ]);
    const firstError = describeFleetError(await failureOf(clientsForFleet(first, config, { user: "erin" })), first);
    expect(firstError.message).toContain("arn:aws:iam::111111111111:role/FleetDoctorMember in account 111111111111");
    expect(firstError.message).toContain("(hop 1 of 2)");
  });

  it("a call the role may not make is described as that call's failure under that role", async () => {
    const t = target("222222222222", "us-east-1", [role("222222222222", "FleetDoctorMember")]);
    const e = Object.assign(new Error("User is not authorized to perform: ssm:SendCommand"), {
      name: "AccessDeniedException",
    });
    expect(describeFleetError(e, t)).toEqual({
      fleet: "222222222222/us-east-1",
      account: "222222222222",
      region: "us-east-1",
      code: "AccessDeniedException",
      message:
        "AccessDeniedException reading account 222222222222 in us-east-1 as arn:aws:iam::222222222222:role/FleetDoctorMember: User is not authorized to perform: ssm:SendCommand",
    });
  });
});

describe("sessionName", () => {
  it("says Fleet Doctor and who, in the characters STS allows (2 to 64 of [\\w+=,.@-])", () => {
    expect(sessionName("alice@example.com")).toBe("fleet-doctor-alice@example.com");
    expect(sessionName("Alice Smith/ops:on-call")).toBe("fleet-doctor-Alice-Smith-ops-on-call");
    expect(sessionName(undefined)).toBe("fleet-doctor");
    expect(sessionName("  ")).toBe("fleet-doctor");
    const long = sessionName(`${"x".repeat(100)}@example.com`);
    expect(long).toHaveLength(64);
    expect(long).toMatch(/^fleet-doctor-x+$/);
    for (const name of [long, sessionName("é ü ✓"), sessionName("a\nb")]) expect(name).toMatch(/^[\w+=,.@-]{2,64}$/);
  });
});
