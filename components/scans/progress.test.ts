import { describe, expect, it } from "vitest";
import { instanceEvent } from "@/lib/scan/result.ts";
import type { InstanceResult } from "@/lib/scan/types.ts";
import { applyEvent, emptyProgress, groupErrors } from "./progress.ts";

const result = (id: string, status: string, verdict: InstanceResult["verdict"], details?: string): InstanceResult => ({
  scanId: "s",
  instanceId: id,
  target: { instanceId: id, pingStatus: "Online", group: "web" },
  outcome: { status, statusDetails: details, output: "", truncated: false },
  diagnosis: { verdict, summary: "x", evidence: [], remedies: [], restartWillWork: false },
  verdict,
  probedAt: "2026-11-28T18:00:00Z",
});
const at = "2026-11-28T18:00:00Z";

describe("scan progress from events", () => {
  it("keeps why the scan went without ECS", () => {
    const p = emptyProgress("s");
    applyEvent(p, 1, { type: "warning", kind: "ecs", message: "ECS could not be read: AccessDeniedException", at });
    expect(p.ecsNote).toBe("ECS could not be read: AccessDeniedException");
    expect(p.errors).toEqual([]);
  });

  it("counts results, tracks each instance and groups errors by kind", () => {
    const p = emptyProgress("s");
    applyEvent(p, 1, { type: "inventory", total: 4, online: 3, offline: 1, at });
    applyEvent(p, 2, { type: "batch-sent", commandId: "c", instanceIds: ["i-1", "i-2", "i-3"], at });
    applyEvent(p, 3, instanceEvent(result("i-1", "Success", "lifecycle-404:ready")));
    applyEvent(p, 4, instanceEvent(result("i-2", "Undeliverable", "ssm-unreachable", "Undeliverable")));
    applyEvent(p, 5, instanceEvent(result("i-3", "TimedOut", "probe-failed", "DeliveryTimedOut")));
    applyEvent(p, 6, { type: "warning", kind: "throttled", message: "SendCommand throttled", at });
    applyEvent(p, 7, { type: "batch-failed", instanceIds: ["i-4"], error: "AccessDenied", at });
    expect(p.total).toBe(4);
    expect(p.done).toBe(3);
    expect(p.counts).toEqual({ "lifecycle-404:ready": 1, "ssm-unreachable": 1, "probe-failed": 1 });
    expect(p.instances.get("i-1")).toMatchObject({ state: "done", verdict: "lifecycle-404:ready", group: "web" });
    expect(p.instances.get("i-3")).toMatchObject({ detail: "TimedOut: DeliveryTimedOut" });
    expect(p.instances.get("i-4")).toMatchObject({ state: "failed" });
    const g = groupErrors(p.errors);
    expect(g.undeliverable.map((e) => e.instanceId)).toEqual(["i-2"]);
    expect(g["timed-out"].map((e) => e.instanceId)).toEqual(["i-3"]);
    expect(g.throttled).toHaveLength(1);
    expect(g.failed).toHaveLength(1);
  });

  it("skips events it has seen (a reconnect that replays them changes nothing)", () => {
    const p = emptyProgress("s");
    const e = instanceEvent(result("i-1", "Success", "healthy"));
    expect(applyEvent(p, 1, e)).toBe(true);
    expect(applyEvent(p, 1, e)).toBe(false);
    expect(p.done).toBe(1);
  });

  it("takes the final counts from scan-finished", () => {
    const p = emptyProgress("s");
    applyEvent(p, 9, { type: "scan-finished", status: "completed", counts: { healthy: 5, "at-risk": 2 }, at });
    expect(p).toMatchObject({ status: "completed", done: 7, counts: { healthy: 5, "at-risk": 2 } });
  });
});
