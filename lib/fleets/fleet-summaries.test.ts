/**
 * Each fleet's counts and last scan on both engines (a temp SQLite file, a fresh PostgreSQL database): two scans
 * recorded under two fleets, neither fleet's results counted in the other's line.
 */
import { describe, expect, it } from "vitest";
import { storeEngines } from "../../test/helpers/store-engines.ts";
import type { Verdict } from "../diagnosis/types.ts";
import type { InstanceResult } from "../scan/types.ts";
import type { Store } from "../store/interfaces.ts";
import { fleetReadErrors } from "./fleet-read-errors.ts";
import { fleetSummaries } from "./fleet-summaries.ts";

const [sqlite, postgres] = storeEngines();

const PROD = "111111111111/us-east-1";
const STAGING = "222222222222/us-east-1";

function result(scanId: string, instanceId: string, verdict: Verdict): InstanceResult {
  return {
    scanId,
    instanceId,
    target: { instanceId, pingStatus: "Online" },
    outcome: { status: "Success", output: "{}", truncated: false, responseCode: 0 },
    diagnosis: { verdict, summary: verdict, evidence: [], remedies: [], restartWillWork: false },
    verdict,
    agentVersion: "1.90.0",
    probedAt: new Date().toISOString(),
  };
}

async function scanOf(s: Store, fleet: string, results: [string, Verdict][]) {
  const id = (await s.createScan({ targets: { kind: "all" }, fleet })).id;
  await s.recordScanFleet(id, fleet);
  for (const [instanceId, verdict] of results) await s.saveResult(result(id, instanceId, verdict), "raw");
  await s.finishScan(id, "completed");
  return id;
}

describe.each([sqlite, postgres])("fleet summaries on $name", (e) => {
  it("counts each fleet's instances by verdict and finds its own last scan", async () => {
    const s = await e.open(await e.fresh());
    const prod = await scanOf(s, PROD, [
      ["i-0a000000000000001", "lifecycle-404:ready"],
      ["i-0a000000000000002", "healthy"],
      ["i-0a000000000000003", "agent-failed"],
    ]);
    const staging = await scanOf(s, STAGING, [["i-0b000000000000001", "lifecycle-404:blocked"]]);
    const [p, st, none] = await fleetSummaries(s, [PROD, STAGING, "333333333333/eu-west-1"]);
    expect(p).toMatchObject({ fleet: PROD, total: 3, lastScan: { id: prod } });
    expect(p!.counts).toMatchObject({ "lifecycle-404:ready": 1, healthy: 1, "agent-failed": 1 });
    expect(p!.counts["lifecycle-404:blocked"] ?? 0).toBe(0);
    expect(st).toMatchObject({ fleet: STAGING, total: 1, lastScan: { id: staging } });
    expect(st!.counts["lifecycle-404:blocked"]).toBe(1);
    expect(none).toMatchObject({ fleet: "333333333333/eu-west-1", total: 0 });
    expect(none!.lastScan).toBeUndefined();
  });

  it("knows a fleet's read error from the newest sweep that reached it, until the fleet is scanned again", async () => {
    const s = await e.open(await e.fresh());
    const SANDBOX = "333333333333/us-east-1";
    const denied = {
      code: "AccessDenied",
      message: "Role arn:aws:iam::333333333333:role/FleetDoctorMember could not be assumed",
    };
    const old = await s.sweeps.create({ fleets: [PROD, SANDBOX], targets: { kind: "all" } });
    await s.sweeps.recordFleet(old.id, { fleet: PROD, error: { code: "Throttling", message: "slow down" } });
    await s.sweeps.recordFleet(old.id, { fleet: SANDBOX, error: denied });
    await s.sweeps.finish(old.id, "partial");
    await new Promise((r) => setTimeout(r, 5));
    // The newer sweep read prod (its scan), and has not reached sandbox yet (pending): the older error stands.
    const prod = await scanOf(s, PROD, [["i-0a000000000000001", "healthy"]]);
    const now = await s.sweeps.create({ fleets: [PROD, SANDBOX], targets: { kind: "all" } });
    await s.sweeps.recordFleet(now.id, { fleet: PROD, scanId: prod });
    const errors = await fleetReadErrors(s);
    expect([...errors.keys()]).toEqual([SANDBOX]);
    expect(errors.get(SANDBOX)).toMatchObject({ ...denied, at: old.startedAt });
    // Scanned since (the role was fixed): no error any more.
    await new Promise((r) => setTimeout(r, 5));
    await scanOf(s, SANDBOX, [["i-0c000000000000001", "healthy"]]);
    expect((await fleetReadErrors(s)).size).toBe(0);
  });
});
