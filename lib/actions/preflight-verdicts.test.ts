/**
 * Preflight on the verdicts of issue 16, from real diagnoses (diagnose() on hand-built reports) stored in a real
 * SQLite store: a disconnected agent or an agent-failed cause whose fix is not a restart is refused a restart, and
 * turning the warm-pool check off is not their fix either.
 */
import { afterEach, describe, expect, it } from "vitest";
import { acsReport, FAILURE_LINES, failedReport, failedWith, withImds } from "../../test/helpers/reports.ts";
import { diagnose } from "../diagnosis/diagnose.ts";
import type { ProbeReport } from "../probe/report-schema.ts";
import type { Store } from "../store/interfaces.ts";
import { openStore } from "../store/store.ts";
import { preflight } from "./preflight.ts";

const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

async function storeWith(reports: Record<string, ProbeReport>): Promise<Store> {
  const store = openStore(":memory:");
  stores.push(store);
  const scan = await store.createScan({ targets: { kind: "all" } });
  for (const [instanceId, report] of Object.entries(reports)) {
    const diagnosis = diagnose({
      probe: { ok: true, report },
      ssm: { pingStatus: "Online", status: "Success", responseCode: 0 },
    });
    await store.saveResult(
      {
        scanId: scan.id,
        instanceId,
        target: { instanceId, pingStatus: "Online" },
        outcome: { status: "Success", output: JSON.stringify(report), truncated: false, responseCode: 0 },
        diagnosis,
        verdict: diagnosis.verdict,
        probedAt: new Date().toISOString(),
      },
      JSON.stringify(report),
    );
  }
  return store;
}

const DISCONNECTED = "i-0d000000000000001";
const CLUSTER = "i-0d000000000000002";
const DOCKER_DOWN = "i-0d000000000000003";
const READY = "i-0d000000000000004";

describe("preflight on the new verdicts and causes", () => {
  it("refuses a restart for disconnected and for causes a restart does not clear, passes lifecycle-404:ready", async () => {
    const dockerDown = withImds(failedReport(), 200, "InService");
    dockerDown.deps = { docker: { load: "loaded", active: "failed", sub: "failed", result: "exit-code" } };
    const store = await storeWith({
      [DISCONNECTED]: acsReport("failed"),
      [CLUSTER]: failedWith("cluster-not-found", FAILURE_LINES.clusterTerminal),
      [DOCKER_DOWN]: dockerDown,
      [READY]: withImds(failedReport(), 200, "InService"),
    });
    const ctx = { store, config: { restartMaxAgeSeconds: 900 } };
    const checks = await preflight("restart", [DISCONNECTED, CLUSTER, DOCKER_DOWN, READY], ctx);
    expect(checks.map((c) => [c.verdict, c.ok])).toEqual([
      ["disconnected", false],
      ["agent-failed", false],
      ["agent-failed", false],
      ["lifecycle-404:ready", true],
    ]);
    expect(checks[0]!.reason).toMatch(/^disconnected: a restart is not expected to work/);
    expect(checks[1]!.reason).toContain("ECS_CLUSTER");

    const off = await preflight("disable-check-and-restart", [DISCONNECTED, CLUSTER], ctx);
    expect(off.map((c) => c.ok)).toEqual([false, false]);
    expect(off[0]!.reason).toMatch(/turning the warm-pool check off is not the fix/);
  });
});
