import { describe, expect, it } from "vitest";
import type { Verdict } from "../diagnosis/types.ts";
import { breakerTrips, type Candidate, type DecideInput, decide, RESTARTABLE } from "./decide.ts";
import type { AutopilotEntry, Policy } from "./types.ts";

const NOW = Date.parse("2026-12-06T08:00:00.000Z");
const ago = (minutes: number) => new Date(NOW - minutes * 60_000).toISOString();

const policy = (over: Partial<Policy> = {}): Policy => ({
  fleet: "f",
  group: "web",
  mode: "restart",
  dryRun: false,
  maxRestartsPerHour: 5,
  breakerFailures: 3,
  breakerWindowMinutes: 15,
  author: "ops@example.com",
  updatedAt: ago(60),
  ...over,
});

const ready = (n: number, over: Partial<Candidate> = {}): Candidate => ({
  instanceId: `i-${n}`,
  verdict: RESTARTABLE,
  preflight: { ok: true },
  failureKey: `exited=${n}`,
  ...over,
});
const other = (n: number, verdict: Verdict): Candidate => ({
  instanceId: `i-${n}`,
  verdict,
  // Even with a preflight that passes (a forced look, an agent-failed cause a restart clears): never restarted.
  preflight: { ok: true },
  failureKey: `exited=${n}`,
});

const input = (over: Partial<DecideInput> = {}): DecideInput => ({
  policy: policy(),
  killSwitch: { variable: false, page: false },
  breakerTripped: false,
  history: [],
  candidates: [ready(1)],
  now: NOW,
  ...over,
});
const sent = (minutesAgo: number): Pick<AutopilotEntry, "kind" | "at"> => ({
  kind: "restart-sent",
  at: ago(minutesAgo),
});

describe("decide", () => {
  it("does nothing without a policy or with `off`", () => {
    for (const p of [undefined, policy({ mode: "off" })]) {
      expect(decide(input({ policy: p, candidates: [ready(1), other(2, "healthy")] }))).toEqual({
        alert: [],
        resolved: [],
        restart: [],
        dryRun: [],
        skipped: [],
      });
    }
  });

  it("`notify` alerts failing instances (not a waiting one) and resolves healthy ones, and restarts nothing", () => {
    const d = decide(
      input({
        policy: policy({ mode: "notify" }),
        candidates: [ready(1), other(2, "healthy"), other(3, "agent-failed"), other(4, "waiting")],
      }),
    );
    expect(d).toMatchObject({ alert: ["i-1", "i-3"], resolved: ["i-2"], restart: [], dryRun: [], skipped: [] });
  });

  it("`restart` restarts lifecycle-404:ready that passed the preflight, and alerts too", () => {
    const d = decide(input({ candidates: [ready(1), other(2, "healthy")] }));
    expect(d).toMatchObject({ alert: ["i-1"], resolved: ["i-2"], restart: ["i-1"] });
  });

  it("never restarts any other verdict", () => {
    const verdicts: Verdict[] = [
      "lifecycle-404:blocked",
      "lifecycle-404:warmed",
      "agent-failed",
      "at-risk",
      "waiting",
      "unknown",
      "healthy",
    ];
    const d = decide(input({ candidates: verdicts.map((v, n) => other(n, v)) }));
    expect(d.restart).toEqual([]);
    expect(d.dryRun).toEqual([]);
    expect(d.skipped).toEqual([]);
  });

  it("refuses a second restart for one failure, and one without a failure key", () => {
    const d = decide(
      input({ candidates: [ready(1, { claimed: { restart: true } }), ready(2, { failureKey: undefined })] }),
    );
    expect(d.restart).toEqual([]);
    expect(d.skipped.map((s) => [s.instanceId, s.why])).toEqual([
      ["i-1", "already-restarted"],
      ["i-2", "no-failure-key"],
    ]);
  });

  it("skips a preflight refusal with its reason", () => {
    const d = decide(input({ candidates: [ready(1, { preflight: { ok: false, reason: "scan again first" } })] }));
    expect(d.restart).toEqual([]);
    expect(d.skipped[0]).toMatchObject({ why: "preflight" });
    expect(d.skipped[0]!.detail).toContain("scan again first");
  });

  it("keeps to the rate per hour, counting only the last hour's restarts", () => {
    const candidates = [ready(1), ready(2), ready(3)];
    const d = decide(
      input({ policy: policy({ maxRestartsPerHour: 3 }), history: [sent(10), sent(59), sent(61)], candidates }),
    );
    expect(d.restart).toEqual(["i-1"]);
    expect(d.skipped.map((s) => [s.instanceId, s.why])).toEqual([
      ["i-2", "rate"],
      ["i-3", "rate"],
    ]);
    const full = decide(input({ policy: policy({ maxRestartsPerHour: 2 }), history: [sent(1), sent(2)], candidates }));
    expect(full.restart).toEqual([]);
    expect(decide(input({ history: [sent(61), sent(90)], candidates })).restart).toEqual(["i-1", "i-2", "i-3"]);
  });

  it("restarts nothing while the kill switch is engaged, by the variable or by the page, but still alerts", () => {
    for (const killSwitch of [
      { variable: true, page: false },
      { variable: false, page: true },
    ]) {
      const d = decide(input({ killSwitch }));
      expect(d.restart).toEqual([]);
      expect(d.alert).toEqual(["i-1"]);
      expect(d.skipped[0]).toMatchObject({ why: "kill-switch" });
      expect(d.skipped[0]!.detail).toContain(killSwitch.variable ? "FLEET_DOCTOR_AUTOPILOT=off" : "the page");
    }
  });

  it("restarts nothing while the group's breaker is tripped", () => {
    const d = decide(input({ breakerTripped: true }));
    expect(d.restart).toEqual([]);
    expect(d.skipped[0]).toMatchObject({ why: "breaker" });
  });

  it("a dry run records what it would restart, once per failure, and restarts nothing", () => {
    const d = decide(
      input({ policy: policy({ dryRun: true }), candidates: [ready(1), ready(2, { claimed: { dryRun: true } })] }),
    );
    expect(d.restart).toEqual([]);
    expect(d.dryRun).toEqual(["i-1"]);
  });
});

describe("breakerTrips", () => {
  const failed = (minutesAgo: number): Pick<AutopilotEntry, "kind" | "at"> => ({
    kind: "failed-verification",
    at: ago(minutesAgo),
  });
  const p = { breakerFailures: 3, breakerWindowMinutes: 15 };

  it("trips at 3 failed verifications within 15 minutes, not 3 spread wider", () => {
    expect(breakerTrips(p, [failed(1), failed(5), failed(14)], NOW)).toEqual({ trip: true, failures: 3 });
    expect(breakerTrips(p, [failed(1), failed(5), failed(16)], NOW)).toEqual({ trip: false, failures: 2 });
    expect(breakerTrips(p, [failed(1), { kind: "verified", at: ago(2) }, failed(5)], NOW).trip).toBe(false);
  });

  it("counts afresh after an operator's reset", () => {
    const reset = { kind: "breaker-reset" as const, at: ago(4) };
    expect(breakerTrips(p, [failed(10), failed(8), failed(6), reset, failed(2)], NOW)).toEqual({
      trip: false,
      failures: 1,
    });
    expect(breakerTrips(p, [failed(10), reset, failed(3), failed(2), failed(1)], NOW).trip).toBe(true);
  });
});
