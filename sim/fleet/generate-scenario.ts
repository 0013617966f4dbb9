/**
 * generateScenario: a realistic fleet of any size (`--hosts 10000`), deterministic for a seed: mostly healthy hosts
 * in a few groups (one in three with a warm pool), and a tail of every failure, with a spread of SSM latencies.
 */
import { ARCHETYPES, FLEET_MIX, type GroupNames, type HostInput } from "./archetypes.ts";
import { parseScenario } from "./load-scenario.ts";
import { rng } from "./random.ts";
import type { Scenario, ScenarioInput } from "./scenario-schema.ts";

const SERVICES = ["web", "api", "worker", "search", "ingest", "media", "billing", "auth"];

export function generateScenario(opts: { hosts: number; seed?: number }): Scenario {
  const count = Math.max(0, Math.floor(opts.hosts));
  const seed = opts.seed ?? 1;
  const r = rng(seed * 7919 + 17);
  const groupCount = Math.max(3, Math.ceil(count / 250));
  const groups: ScenarioInput["groups"] = [];
  const names: GroupNames = { service: [], warm: [] };
  for (let i = 0; i < groupCount; i++) {
    const name = `asg-${SERVICES[i % SERVICES.length]}-${Math.floor(i / SERVICES.length) + 1}`;
    const warm = i % 3 === 2;
    groups.push({
      name,
      minSize: 0,
      maxSize: Math.max(100, Math.ceil((count / groupCount) * 3)),
      tags: { service: name.split("-")[1]!, env: "prod" },
      ...(warm ? { warmPool: { poolState: "Running" as const, minSize: 2 } } : {}),
    });
    (warm ? names.warm : names.service).push(name);
  }
  const total = FLEET_MIX.reduce((s, [, w]) => s + w, 0);
  const hosts: HostInput[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    let id: string;
    do id = `i-0${r.hex(16)}`;
    while (seen.has(id));
    seen.add(id);
    let pick = r.next() * total;
    let kind = FLEET_MIX[0]![0];
    for (const [k, w] of FLEET_MIX) {
      pick -= w;
      if (pick < 0) {
        kind = k;
        break;
      }
    }
    const host = ARCHETYPES[kind](r, id, names);
    // Most hosts answer within a second; a tail is slow (busy hosts, far regions).
    const u = r.next();
    host.latencyMs = u < 0.85 ? r.int(80, 900) : u < 0.98 ? r.int(900, 4000) : r.int(4000, 12000);
    host.tags = { ...(host.tags ?? {}), env: "prod", fleet: "generated" };
    hosts.push(host);
  }
  return parseScenario(
    {
      name: `generated-${count}-${seed}`,
      description: `A generated fleet of ${count} hosts (seed ${seed}).`,
      groups,
      hosts,
    },
    `generated(${count}, seed ${seed})`,
  );
}

/** Regions a generated multi-account scenario takes when given a count. */
const GENERATED_REGIONS = ["us-east-1", "eu-west-1", "us-west-2", "eu-central-1", "ap-southeast-2", "ap-northeast-1"];

/**
 * generateMultiScenario: an organization for benchmarks, deterministic for a seed. The management account (the
 * default 123456789012) has no hosts; `accounts` member accounts (111111111111, 222222222222, ... then
 * 1000000000NN) each have a fleet in every region, `hosts` spread evenly over all of them, each fleet a
 * generateScenario fleet. Every member has a role FleetDoctorMember trusting the management account, and all are in
 * the OU ou-root-members.
 */
export function generateMultiScenario(opts: {
  accounts?: number;
  regions?: number | string[];
  hosts: number;
  seed?: number;
}): Scenario {
  const accountCount = Math.max(1, Math.floor(opts.accounts ?? 3));
  const regions =
    typeof opts.regions === "number"
      ? GENERATED_REGIONS.slice(0, Math.max(1, Math.min(GENERATED_REGIONS.length, Math.floor(opts.regions))))
      : (opts.regions ?? ["us-east-1", "eu-west-1"]);
  const total = Math.max(0, Math.floor(opts.hosts));
  const seed = opts.seed ?? 1;
  const management = "123456789012";
  const fleetCount = accountCount * regions.length;
  let fleetIndex = 0;
  const accounts = Array.from({ length: accountCount }, (_, i) => {
    const id = i < 9 ? String(i + 1).repeat(12) : String(100_000_000_000 + i);
    const name = `member-${String(i + 1).padStart(2, "0")}`;
    return {
      id,
      name,
      email: `aws+${name}@example.com`,
      parent: "ou-root-members",
      roles: [{ name: "FleetDoctorMember", trustedBy: [management] }],
      fleets: regions.map((region) => {
        const k = fleetIndex++;
        // Hosts spread evenly: the first (total % fleetCount) fleets take one more.
        const hosts = Math.floor(total / fleetCount) + (k < total % fleetCount ? 1 : 0);
        const fleet = generateScenario({ hosts, seed: seed * 1000 + k });
        return {
          region,
          groups: fleet.groups.map((g) => ({ ...g, availabilityZones: [`${region}a`, `${region}b`, `${region}c`] })),
          hosts: fleet.hosts.map((h) => ({ ...h, tags: { ...h.tags, account: name, region } })),
        };
      }),
    };
  });
  return parseScenario(
    {
      name: `generated-multi-${accountCount}x${regions.length}-${total}-${seed}`,
      description: `A generated organization: ${accountCount} member accounts in ${regions.join(", ")}, ${total} hosts (seed ${seed}).`,
      accountId: management,
      region: regions[0],
      hosts: [],
      organization: { units: [{ id: "ou-root-members", name: "Members" }] },
      accounts,
    },
    `generatedMulti(${accountCount} accounts, ${regions.length} regions, ${total} hosts, seed ${seed})`,
  );
}
