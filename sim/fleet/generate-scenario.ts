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
