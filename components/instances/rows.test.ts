import { describe, expect, it } from "vitest";
import { compactRows, expandRows, NONE } from "./rows.ts";

describe("compact rows", () => {
  it("round-trips summaries and interns repeated strings", () => {
    const items = Array.from({ length: 100 }, (_, i) => ({
      instanceId: `i-${String(i).padStart(17, "0")}`,
      fleet: i % 2 ? "111111111111/us-east-1" : "222222222222/eu-west-1",
      verdict: i % 2 ? ("healthy" as const) : ("lifecycle-404:ready" as const),
      group: i % 3 ? "web" : undefined,
      lifecycleState: "InService",
      agentVersion: "1.89.3",
      pingStatus: "Online",
      probedAt: "2026-11-28T18:00:00.000Z",
      scanId: "scan-1",
      restartWillWork: i % 2 === 0,
      ...(i % 3 === 0 ? {} : { registered: i % 3 === 1 }),
    }));
    const c = compactRows(items);
    expect(c.dict.length).toBeLessThan(10);
    const rows = expandRows(JSON.parse(JSON.stringify(c)));
    expect(rows[0]).toEqual({
      ...items[0],
      rowKey: `222222222222/eu-west-1 ${items[0]!.instanceId}`,
      account: "222222222222",
      region: "eu-west-1",
      group: NONE,
      cause: NONE,
      registered: "not asked",
    });
    expect(rows[1]).toMatchObject({ verdict: "healthy", group: "web", restartWillWork: false, registered: "yes" });
    expect(rows[2]).toMatchObject({ registered: "no" });
  });

  it("keeps the same instance id in two fleets as two rows, each with its account and region", () => {
    const base = {
      instanceId: "i-0a1b2c3d4e5f60718",
      verdict: "healthy" as const,
      pingStatus: "Online",
      probedAt: "2026-11-28T18:00:00.000Z",
      scanId: "s",
      restartWillWork: false,
    };
    const rows = expandRows(
      compactRows([
        { ...base, fleet: "111111111111/us-east-1" },
        { ...base, fleet: "222222222222/us-east-1" },
        { ...base, instanceId: "i-0a1b2c3d4e5f60719" },
      ]),
    );
    expect(rows.map((r) => [r.account, r.region])).toEqual([
      ["111111111111", "us-east-1"],
      ["222222222222", "us-east-1"],
      [NONE, NONE],
    ]);
    expect(new Set(rows.map((r) => r.rowKey)).size).toBe(3);
    expect(rows[2]).toMatchObject({ rowKey: "i-0a1b2c3d4e5f60719" });
    expect(rows[2]).not.toHaveProperty("fleet");
  });

  it("carries when a gone instance was last seen only when some row is gone", () => {
    const base = {
      verdict: "lifecycle-404:ready" as const,
      pingStatus: "Online",
      probedAt: "2026-11-28T18:00:00.000Z",
      scanId: "scan-1",
      restartWillWork: true,
    };
    const live = { ...base, instanceId: "i-00000000000000001" };
    const gone = { ...base, instanceId: "i-00000000000000002", goneSince: "2026-11-28T19:00:00.000Z" };
    expect(compactRows([live]).gone).toBeUndefined();
    const c = compactRows([live, gone, live]);
    expect(c.gone).toEqual([0, Date.parse(gone.goneSince) / 1000, 0]);
    const rows = expandRows(JSON.parse(JSON.stringify(c)));
    expect(rows.map((r) => r.goneSince)).toEqual([undefined, gone.goneSince, undefined]);
  });
});
