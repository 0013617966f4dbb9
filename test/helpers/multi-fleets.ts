/**
 * Test helper: the `multi` scenario (sim/scenarios/multi.json) as the tests of fleets use it: its simulator with this
 * process's default credentials pointed at it (the organization's management account), and a fleets file of prod
 * (with its external id) and staging in us-east-1.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { startSimulator } from "../../sim/main.ts";
import { simEnv } from "./sim.ts";

export async function startMultiSim() {
  const sim = await startSimulator({ scenario: "multi", exec: "model" });
  Object.assign(process.env, simEnv(sim.url));
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  return sim;
}

/** Writes `fleets.yaml` in `dir` and returns its path. */
export function writeProdStagingFleets(dir: string): string {
  const file = path.join(dir, "fleets.yaml");
  writeFileSync(
    file,
    `defaults: { role: FleetDoctorMember, regions: [us-east-1] }
accounts:
  - { account_id: "111111111111", name: prod, external_id: fleet-doctor-demo }
  - { account_id: "222222222222", name: staging }
`,
  );
  return file;
}
