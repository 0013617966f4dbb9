/**
 * The accounts of a multi-account scenario: the directory STS and Organizations answer from, and one plain scenario
 * per member fleet (account and region) so each is built by createFleet like any other.
 */
import type { Directory, DirectoryAccount, DirectoryRole } from "../fleet-types.ts";
import { parseScenario } from "./load-scenario.ts";
import { hashString } from "./random.ts";
import type { Scenario } from "./scenario-schema.ts";

const ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** A stable IAM unique id (AROA + 17 characters) for a role ARN, as IAM keeps one per role. */
export function roleIdFor(arn: string): string {
  let out = "AROA";
  for (let i = 0; out.length < 21; i++) out += ID_CHARS[hashString(`${arn}/${i}`) % ID_CHARS.length];
  return out;
}

export function directoryOf(scenario: Scenario, now = Date.now()): Directory {
  const accounts = new Map<string, DirectoryAccount>();
  const org = scenario.organization;
  const managementEntry = scenario.accounts?.find((a) => a.id === scenario.accountId);
  accounts.set(scenario.accountId, {
    id: scenario.accountId,
    name: managementEntry?.name ?? org?.managementName ?? "management",
    email: managementEntry?.email ?? org?.managementEmail ?? `aws+${scenario.accountId}@example.com`,
    parent: org ? (managementEntry?.parent ?? org.rootId) : undefined,
    joinedAt: new Date(now - (managementEntry?.joinedAgo ?? 3 * 365 * 86400) * 1000),
    roles: new Map(),
  });
  for (const a of scenario.accounts ?? []) {
    const roles = new Map<string, DirectoryRole>();
    for (const r of a.roles) {
      const arn = `arn:aws:iam::${a.id}:role/${r.name}`;
      roles.set(r.name, {
        account: a.id,
        name: r.name,
        arn,
        roleId: roleIdFor(arn),
        trustedBy: r.trustedBy,
        externalId: r.externalId,
        maxSessionDuration: r.maxSessionDuration,
      });
    }
    accounts.set(a.id, {
      id: a.id,
      name: a.name,
      email: a.email ?? `aws+${a.name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}@example.com`,
      parent: org ? (a.parent ?? org.rootId) : undefined,
      joinedAt: new Date(now - a.joinedAgo * 1000),
      roles,
    });
  }
  return {
    account: scenario.accountId,
    region: scenario.region,
    multi: scenario.accounts !== undefined,
    accounts,
    organization: org && {
      id: org.id,
      rootId: org.rootId,
      units: org.units.map((u) => ({ id: u.id, name: u.name, parent: u.parent ?? org.rootId })),
    },
  };
}

/** Each member fleet (account, region) as a scenario of its own: the scenario's timing unless it has one. */
export function memberScenarios(scenario: Scenario): { account: string; region: string; scenario: Scenario }[] {
  const out: { account: string; region: string; scenario: Scenario }[] = [];
  for (const a of scenario.accounts ?? []) {
    for (const f of a.fleets) {
      out.push({
        account: a.id,
        region: f.region,
        scenario: parseScenario(
          {
            name: `${scenario.name}/${a.id}/${f.region}`,
            region: f.region,
            accountId: a.id,
            timing: f.timing ?? scenario.timing,
            groups: f.groups,
            hosts: f.hosts,
          },
          `${scenario.name}: account ${a.id} ${f.region}`,
        ),
      });
    }
  }
  return out;
}
