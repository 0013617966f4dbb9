/**
 * The autopilot store on both engines (a temp SQLite file, a fresh PostgreSQL database): policies and their audited
 * changes, the kill switch, breakers, the append-only log, and the claim two replicas race for.
 */
import { describe, expect, it } from "vitest";
import { storeEngines } from "../../test/helpers/store-engines.ts";
import type { AutopilotEntry, Policy } from "../autopilot/types.ts";

const [sqlite, postgres] = storeEngines();

const FLEET = "123456789012/us-east-1";
const policy = (over: Partial<Policy> = {}): Policy => ({
  fleet: FLEET,
  group: "web",
  mode: "restart",
  dryRun: false,
  maxRestartsPerHour: 5,
  breakerFailures: 3,
  breakerWindowMinutes: 15,
  author: "ops@example.com",
  updatedAt: new Date().toISOString(),
  ...over,
});

describe.each([sqlite, postgres])("autopilot store on $name", (e) => {
  it("has no policy until one is set; each change is logged with who, before and after", async () => {
    const s = await e.open(await e.fresh());
    expect(await s.autopilot.policies(FLEET)).toEqual([]);
    expect(await s.autopilot.setPolicy(policy({ group: null, mode: "notify" }), "ops@example.com")).toBeUndefined();
    const first = policy({ mode: "notify" });
    await s.autopilot.setPolicy(first, "ops@example.com");
    const second = policy({ mode: "restart", maxRestartsPerHour: 2, author: "lead@example.com" });
    expect(await s.autopilot.setPolicy(second, "lead@example.com")).toEqual(first);
    const policies = await s.autopilot.policies(FLEET);
    expect(policies.map((p) => [p.group, p.mode, p.maxRestartsPerHour])).toEqual([
      [null, "notify", 5],
      ["web", "restart", 2],
    ]);
    expect(await s.autopilot.policies("other/us-east-1")).toEqual([]);
    const [last, mid, firstEntry] = await s.autopilot.recent(FLEET);
    expect(last).toMatchObject({ kind: "policy-changed", group: "web", actor: "lead@example.com" });
    expect(last!.change).toEqual({ before: first, after: second });
    expect(mid!.change).toEqual({ before: null, after: first });
    expect(firstEntry).toMatchObject({ kind: "policy-changed", actor: "ops@example.com" });
    expect(firstEntry!.group).toBeUndefined();
  });

  it("keeps the page's kill switch, logged", async () => {
    const s = await e.open(await e.fresh());
    expect(await s.autopilot.killSwitch()).toEqual({ engaged: false });
    await s.autopilot.setKillSwitch(true, "ops@example.com", FLEET);
    expect(await s.autopilot.killSwitch()).toMatchObject({ engaged: true, by: "ops@example.com" });
    await s.autopilot.setKillSwitch(false, "lead@example.com", FLEET);
    expect(await s.autopilot.killSwitch()).toMatchObject({ engaged: false, by: "lead@example.com" });
    const [released, engaged] = await s.autopilot.recent(FLEET);
    expect(engaged).toMatchObject({ kind: "kill-switch", change: { before: null, after: { engaged: true } } });
    expect(released).toMatchObject({
      kind: "kill-switch",
      change: { before: { engaged: true }, after: { engaged: false } },
    });
  });

  it("trips a breaker once and resets it once", async () => {
    const s = await e.open(await e.fresh());
    const at = new Date().toISOString();
    const entry: AutopilotEntry = {
      at,
      fleet: FLEET,
      group: "web",
      kind: "breaker-tripped",
      detail: "3 in 15",
      actor: "autopilot",
    };
    const b = { fleet: FLEET, group: "web", trippedAt: at, failures: 3 };
    expect(await s.autopilot.tripBreaker(b, entry)).toBe(true);
    expect(await s.autopilot.tripBreaker(b, entry)).toBe(false);
    expect(await s.autopilot.breakers(FLEET)).toEqual([b]);
    expect(await s.autopilot.resetBreaker(FLEET, "web", "ops@example.com")).toBe(true);
    expect(await s.autopilot.resetBreaker(FLEET, "web", "ops@example.com")).toBe(false);
    expect(await s.autopilot.breakers(FLEET)).toEqual([]);
    const kinds = (await s.autopilot.recent(FLEET)).map((x) => x.kind);
    expect(kinds).toEqual(["breaker-reset", "breaker-tripped"]);
    expect((await s.autopilot.recent(FLEET))[0]!.change).toEqual({ before: b, after: null });
  });

  it("counts a group's entries by kind since a time", async () => {
    const s = await e.open(await e.fresh());
    const old = new Date(Date.now() - 2 * 3600_000).toISOString();
    const now = new Date().toISOString();
    const base = { fleet: FLEET, group: "web", detail: "x", actor: "autopilot" };
    await s.autopilot.append([
      { ...base, at: old, kind: "restart-sent", instanceId: "i-1" },
      { ...base, at: now, kind: "restart-sent", instanceId: "i-2", actionId: "a-1" },
      { ...base, at: now, kind: "verified", instanceId: "i-2" },
      { ...base, group: "batch", at: now, kind: "restart-sent" },
    ]);
    const since = new Date(Date.now() - 3600_000).toISOString();
    const got = await s.autopilot.groupLog(FLEET, "web", ["restart-sent"], since);
    expect(got.map((x) => [x.instanceId, x.actionId])).toEqual([["i-2", "a-1"]]);
    expect(await s.autopilot.groupLog(FLEET, "web", ["restart-sent", "verified"], old)).toHaveLength(3);
  });

  it("gives a claim to exactly one of two stores on one database (two replicas)", async () => {
    const where = await e.fresh();
    const a = await e.open(where);
    const b = await e.open(where);
    const c = { fleet: FLEET, instanceId: "i-0a000000000000003", failureKey: "exited=Mon", what: "restart" };
    const wins = await Promise.all([a.autopilot.claim(c), b.autopilot.claim(c), a.autopilot.claim(c)]);
    expect(wins.filter(Boolean)).toHaveLength(1);
    expect(await b.autopilot.claimed(c.instanceId, c.failureKey, "restart")).toBe(true);
    expect(await b.autopilot.claimed(c.instanceId, c.failureKey, "dry-run")).toBe(false);
    expect(await a.autopilot.claim({ ...c, failureKey: "exited=Tue" })).toBe(true);
  });

  it("refuses UPDATE and DELETE on the log and the claims", async () => {
    const where = await e.fresh();
    const s = await e.open(where);
    await s.autopilot.setPolicy(policy(), "ops@example.com");
    await s.autopilot.claim({ fleet: FLEET, instanceId: "i-1", failureKey: "k", what: "restart" });
    for (const sql of [
      "UPDATE autopilot_log SET actor = 'someone-else'",
      "DELETE FROM autopilot_log",
      "UPDATE autopilot_claims SET what = 'x'",
      "DELETE FROM autopilot_claims",
    ]) {
      await expect(e.sql(where, sql)).rejects.toThrow(/append-only/);
    }
    expect(await s.autopilot.recent(FLEET)).toHaveLength(1);
  });
});
