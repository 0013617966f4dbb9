/**
 * The `multi` scenario's member fleets through the product's own way in: the fleets file's roles (examples/
 * fleets.multi.yaml), each fleet scanned with its assumed-role clients (bash mode: the shipped probe runs), every host
 * given the verdict its scenario expects. Sandbox's FleetDoctorMember trusts nobody, so its fleets are read through
 * the scenario's other door (staging's role, then sandbox's FleetDoctorFromStaging: a role chain).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Scenario } from "../../sim/fleet/index.ts";
import { loadScenario } from "../../sim/fleet/index.ts";
import { startSimulator } from "../../sim/main.ts";
import { scanToEnd, simScanContext } from "../../test/helpers/scan-context.ts";
import { simEnv } from "../../test/helpers/sim.ts";
import { parseConfig } from "../config.ts";
import { clientsForFleet } from "../fleets/clients-for-fleet.ts";
import { listFleets } from "../fleets/list-fleets.ts";
import type { FleetTarget } from "../fleets/types.ts";
import { openStore } from "../store/store.ts";

let sim: Awaited<ReturnType<typeof startSimulator>>;
let scenario: Scenario;
const saved = { ...process.env };

beforeAll(async () => {
  sim = await startSimulator({ scenario: "multi", exec: "bash" });
  scenario = await loadScenario("multi");
  Object.assign(process.env, simEnv(sim.url), { FLEET_DOCTOR_FLEETS: "examples/fleets.multi.yaml" });
}, 60_000);
afterAll(async () => {
  process.env = saved;
  await sim?.close();
});

it("gives every host of every member fleet the verdict its scenario expects, read with that fleet's role", async () => {
  const config = parseConfig(process.env);
  const view = await listFleets(config);
  const sandbox = (region: string): FleetTarget => ({
    id: `333333333333/${region}`,
    account: "333333333333",
    region,
    roles: [
      { roleArn: "arn:aws:iam::222222222222:role/FleetDoctorMember" },
      { roleArn: "arn:aws:iam::333333333333:role/FleetDoctorFromStaging" },
    ],
  });
  const targets = [
    ...view.targets.filter((t) => t.account !== "333333333333"),
    sandbox("us-east-1"),
    sandbox("eu-west-1"),
  ];
  expect(targets.map((t) => t.id).sort()).toHaveLength(6);
  const bad: string[] = [];
  let checked = 0;
  for (const account of scenario.accounts ?? []) {
    for (const fleet of account.fleets) {
      const target = targets.find((t) => t.id === `${account.id}/${fleet.region}`)!;
      const store = openStore(":memory:");
      const ctx = simScanContext(store, { clients: clientsForFleet(target, { maxAttempts: 8 }, { user: "test" }) });
      const { results, scanId } = await scanToEnd({ kind: "all" }, ctx);
      // Named by the assumed role's own account, not the account that assumed it.
      expect(await store.scanFleet(scanId)).toBe(target.id);
      for (const h of fleet.hosts.filter((x) => x.expect && !x.stopped)) {
        checked++;
        const got = results.get(h.id)?.verdict;
        if (got !== h.expect) bad.push(`${target.id} ${h.id}: expected ${h.expect}, got ${got}`);
      }
      store.close();
    }
  }
  expect(checked).toBeGreaterThan(40);
  expect(bad).toEqual([]);
}, 300_000);
