import { describe, expect, it } from "vitest";
import type { LatestSeen } from "../store/interfaces.ts";
import type { Seen } from "./look.ts";
import { countReasons, plan } from "./plan.ts";

const NOW = new Date("2026-12-06T08:00:00.000Z");
const ago = (s: number) => new Date(NOW.getTime() - s * 1000).toISOString();
const opts = { now: NOW, intervalSeconds: 30, staleSeconds: 3600 };

const seen = (instanceId: string, extra: Partial<Seen> = {}): Seen => ({
  instanceId,
  pingStatus: "Online",
  group: "web",
  lifecycleState: "InService",
  registered: true,
  ...extra,
});
const latest = (instanceId: string, extra: Partial<LatestSeen> = {}): LatestSeen => ({
  instanceId,
  verdict: "healthy",
  pingStatus: "Online",
  lifecycleState: "InService",
  registered: true,
  probedAt: ago(60),
  ...extra,
});
const byId = (rows: LatestSeen[]) => new Map(rows.map((r) => [r.instanceId, r]));

describe("plan", () => {
  it("probes nothing when every instance looks as its fresh result recorded", () => {
    expect(plan([seen("i-1"), seen("i-2")], byId([latest("i-1"), latest("i-2")]), opts)).toEqual([]);
  });

  it("probes an instance with no result as new", () => {
    expect(plan([seen("i-1")], new Map(), opts)).toEqual([{ instanceId: "i-1", reason: "new", why: "no result yet" }]);
  });

  it("probes an instance whose lifecycle state, ping or registration changed, saying what changed", () => {
    const out = plan(
      [
        seen("i-life", { lifecycleState: "InService" }),
        seen("i-left", { group: undefined, lifecycleState: undefined }),
        seen("i-ping", { pingStatus: "ConnectionLost" }),
        seen("i-unmanaged", { pingStatus: undefined }),
        seen("i-reg", { registered: false }),
        seen("i-joined", { registered: true }),
      ],
      byId([
        latest("i-life", { lifecycleState: "Warmed:Running", verdict: "lifecycle-404:warmed" }),
        latest("i-left"),
        latest("i-ping"),
        latest("i-unmanaged"),
        latest("i-reg"),
        latest("i-joined", { registered: false, verdict: "agent-failed" }),
      ]),
      opts,
    );
    expect(out).toEqual([
      { instanceId: "i-life", reason: "changed", why: "lifecycle Warmed:Running -> InService" },
      { instanceId: "i-left", reason: "changed", why: "lifecycle InService -> no group" },
      { instanceId: "i-ping", reason: "changed", why: "SSM ping Online -> ConnectionLost" },
      { instanceId: "i-unmanaged", reason: "changed", why: "SSM ping Online -> Unknown" },
      { instanceId: "i-reg", reason: "changed", why: "no longer registered with ECS" },
      { instanceId: "i-joined", reason: "changed", why: "registered with ECS" },
    ]);
  });

  it("in a quick look (offline instances only), a ping changes only when the result found the instance offline", () => {
    const quick = (id: string) => seen(id, { pingStatus: undefined, offlineOnly: true, registered: undefined });
    const out = plan(
      [quick("i-1"), quick("i-2"), quick("i-3"), seen("i-4", { pingStatus: "ConnectionLost", offlineOnly: undefined })],
      byId([
        latest("i-1"),
        latest("i-2", { pingStatus: "ConnectionLost", verdict: "ssm-unreachable" }),
        latest("i-3", { pingStatus: "Unknown", verdict: "ssm-unreachable" }),
        latest("i-4"),
      ]),
      opts,
    );
    expect(out).toEqual([
      { instanceId: "i-2", reason: "changed", why: "SSM ping ConnectionLost -> no longer offline" },
      { instanceId: "i-4", reason: "changed", why: "SSM ping Online -> ConnectionLost" },
    ]);
  });

  it("does not compare registration when either side did not ask ECS", () => {
    const out = plan(
      [seen("i-1", { registered: undefined }), seen("i-2", { registered: false })],
      byId([latest("i-1"), latest("i-2", { registered: undefined })]),
      opts,
    );
    expect(out).toEqual([]);
  });

  it("probes a result older than staleSeconds as stale, and not one just under it", () => {
    const out = plan(
      [seen("i-old"), seen("i-fresh")],
      byId([latest("i-old", { probedAt: ago(3601) }), latest("i-fresh", { probedAt: ago(3599) })]),
      opts,
    );
    expect(out).toEqual([{ instanceId: "i-old", reason: "stale", why: "last probed 3601 s ago" }]);
  });

  it("probes transitional verdicts again every few intervals, and no other verdict", () => {
    const rows = [
      latest("i-waiting", { verdict: "waiting", probedAt: ago(90) }),
      latest("i-blocked", { verdict: "lifecycle-404:blocked", probedAt: ago(100) }),
      latest("i-warmed", { verdict: "lifecycle-404:warmed", probedAt: ago(95) }),
      latest("i-warmed-recent", { verdict: "lifecycle-404:warmed", probedAt: ago(89) }),
      latest("i-ready", { verdict: "lifecycle-404:ready", probedAt: ago(600) }),
      latest("i-failed", { verdict: "agent-failed", probedAt: ago(600) }),
    ];
    const out = plan(
      rows.map((r) => seen(r.instanceId)),
      byId(rows),
      opts,
    );
    expect(out.map((p) => [p.instanceId, p.reason])).toEqual([
      ["i-waiting", "transitional"],
      ["i-blocked", "transitional"],
      ["i-warmed", "transitional"],
    ]);
    expect(out[0]!.why).toBe("waiting for 90 s");
    // With a longer bound, none is due yet.
    expect(
      plan(
        rows.map((r) => seen(r.instanceId)),
        byId(rows),
        { ...opts, transitionalIntervals: 4 },
      ),
    ).toEqual([]);
  });

  it("gives the first reason that applies (changed before stale), and counts them by reason", () => {
    const out = plan(
      [seen("i-new"), seen("i-both", { pingStatus: "Inactive" }), seen("i-stale")],
      byId([latest("i-both", { probedAt: ago(9999) }), latest("i-stale", { probedAt: ago(9999) })]),
      opts,
    );
    expect(out.map((p) => p.reason)).toEqual(["new", "changed", "stale"]);
    expect(countReasons(out)).toEqual({ new: 1, changed: 1, stale: 1, transitional: 0 });
  });

  it("leaves out instances the look did not see (a full scan marks those gone)", () => {
    expect(plan([], byId([latest("i-gone", { probedAt: ago(99999) })]), opts)).toEqual([]);
  });
});
