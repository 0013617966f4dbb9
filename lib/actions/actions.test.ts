import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ScannedFleet, scannedFleet } from "../../test/helpers/scanned-fleet.ts";
import { restartSends, startSim } from "../../test/helpers/sim.ts";
import { LOCAL_ACTOR } from "../auth/roles.ts";
import { FleetDoctorError } from "../errors.ts";
import { preflight } from "./preflight.ts";
import { requestAction } from "./request-action.ts";
import { runAction } from "./run-action.ts";
import type { ActionEvent } from "./types.ts";

const HEALTHY = "i-0a000000000000001";
const BLOCKED = "i-0a000000000000002";
const READY = "i-0a000000000000003";
const WARMED = "i-0a000000000000004";
const OFFLINE = "i-0a000000000000007";

let fleet: ScannedFleet;
let sim: ScannedFleet["sim"];
let store: ScannedFleet["store"];
let ctx: ScannedFleet["ctx"];

beforeAll(async () => {
  fleet = await scannedFleet(await startSim("small"), "fd-actions-");
  ({ sim, store, ctx } = fleet);
}, 120_000);

afterAll(() => fleet?.close());

async function drain(actionId: string): Promise<ActionEvent[]> {
  const events: ActionEvent[] = [];
  for await (const e of runAction(actionId, ctx)) events.push(e);
  return events;
}

describe("preflight", () => {
  it("passes lifecycle-404:ready and refuses the others with their reason", async () => {
    expect((await store.latestResult(READY))?.verdict).toBe("lifecycle-404:ready");
    const checks = await preflight("restart", [READY, BLOCKED, HEALTHY, OFFLINE, "i-0fffffffffffffff0"], ctx);
    expect(checks.map((c) => c.ok)).toEqual([true, false, false, false, false]);
    expect(checks[1]!.reason).toMatch(/^lifecycle-404:blocked/);
    expect(checks[3]).toMatchObject({ hard: true });
    expect(checks[4]!.reason).toMatch(/Never diagnosed/);
  });

  it("refuses a diagnosis older than the limit", async () => {
    const later = Date.now() + 3600_000;
    const [c] = await preflight("restart", [READY], { ...ctx, now: later });
    expect(c).toMatchObject({ ok: false });
    expect(c!.reason).toMatch(/old/);
  });

  it("allows turning the check off only outside a group, forced or not", async () => {
    const [blocked, warmed] = await preflight("disable-check-and-restart", [BLOCKED, WARMED], ctx);
    expect(blocked!.ok).toBe(true);
    expect(warmed).toMatchObject({ ok: false, hard: true });
  });
});

describe("requestAction", () => {
  it("validates before anything: ids, count, types, unknown fields, forced reason", async () => {
    const bad = [
      { kind: "restart", instanceIds: ["i-123; rm -rf /"] },
      { kind: "restart", instanceIds: [] },
      { kind: "restart", instanceIds: Array.from({ length: 51 }, (_, n) => `i-${n.toString(16).padStart(17, "0")}`) },
      { kind: "reboot", instanceIds: [READY] },
      { kind: "restart", instanceIds: READY },
      { kind: "restart", instanceIds: [READY], force: "yes" },
      { kind: "restart", instanceIds: [READY], command: "id" },
    ];
    for (const body of bad) await expect(requestAction(body, LOCAL_ACTOR, ctx)).rejects.toThrow();
    await expect(
      requestAction({ kind: "restart", instanceIds: [BLOCKED], force: true, reason: "short" }, LOCAL_ACTOR, ctx),
    ).rejects.toThrow(FleetDoctorError);
    expect(await store.actions.list()).toHaveLength(0);
  });

  it("records a refused request for the audit and sends nothing", async () => {
    const before = (await restartSends(sim.url)).length;
    const a = await requestAction({ kind: "restart", instanceIds: [BLOCKED] }, LOCAL_ACTOR, ctx);
    expect(a).toMatchObject({ created: true, accepted: [], refused: [{ instanceId: BLOCKED, hard: false }] });
    const events = await drain(a.actionId);
    expect(events.at(-1)).toMatchObject({ type: "action-finished", status: "refused" });
    expect((await restartSends(sim.url)).length).toBe(before);
  });
});

describe("restart a lifecycle-404:ready instance", () => {
  it("sends once, joins a second request, verifies registered and healthy, and audits it append-only", async () => {
    const first = await requestAction(
      { kind: "restart", instanceIds: [READY], reason: "incident 42" },
      LOCAL_ACTOR,
      ctx,
    );
    expect(first).toMatchObject({ created: true, accepted: [READY] });
    // A double click: the same instance again while the first is under way joins it.
    const second = await requestAction({ kind: "restart", instanceIds: [READY] }, LOCAL_ACTOR, ctx);
    expect(second).toMatchObject({
      created: false,
      actionId: first.actionId,
      joined: [{ instanceId: READY, actionId: first.actionId }],
    });

    const events = await drain(first.actionId);
    const types = events.map((e) => e.type);
    expect(types).toContain("batch-sent");
    expect(types.at(-1)).toBe("action-finished");
    const detail = (await store.actions.detail(first.actionId))!;
    expect(detail).toMatchObject({
      status: "completed",
      actor: "local",
      reason: "incident 42",
      counts: { registered: 1 },
    });
    expect(detail.outcomes[0]).toMatchObject({ instanceId: READY, outcome: "registered", verdictAfter: "healthy" });
    expect(detail.outcomes[0]!.report?.containerInstanceArn).toBeTruthy();
    expect(detail.commands).toHaveLength(1);
    expect((await store.latestResult(READY))?.verdict).toBe("healthy");
    expect(await restartSends(sim.url, READY)).toHaveLength(1);
    // After it finished, the instance is free again: a new request is a new action (refused now: it is healthy).
    const third = await requestAction({ kind: "restart", instanceIds: [READY] }, LOCAL_ACTOR, ctx);
    expect(third).toMatchObject({ created: true, accepted: [] });

    // The store's connection is its own: try with another one on the same file.
    const raw = new Database(store.path);
    try {
      expect(() => raw.prepare("UPDATE actions SET actor = 'mallory'").run()).toThrow(/append-only/);
      expect(() => raw.prepare("DELETE FROM action_outcomes").run()).toThrow(/append-only/);
      expect(() => raw.prepare("DELETE FROM action_events").run()).toThrow(/append-only/);
    } finally {
      raw.close();
    }
  }, 90_000);
});

describe("a forced restart that fails again", () => {
  it("records the new failure line, and more than maxErrors failures stop the rest (never sent)", async () => {
    const a = await requestAction(
      {
        kind: "restart",
        instanceIds: [BLOCKED, WARMED],
        force: true,
        reason: "testing the stop rule",
        maxConcurrency: 1,
        maxErrors: 0,
      },
      LOCAL_ACTOR,
      ctx,
    );
    expect(a.accepted).toEqual([BLOCKED, WARMED]);
    const events = await drain(a.actionId);
    expect(events.some((e) => e.type === "halted")).toBe(true);
    const detail = (await store.actions.detail(a.actionId))!;
    expect(detail.status).toBe("halted");
    const [blocked, warmed] = [BLOCKED, WARMED].map((id) => detail.outcomes.find((o) => o.instanceId === id));
    expect(blocked).toMatchObject({ outcome: "failed-again", verdictAfter: "lifecycle-404:blocked" });
    expect(blocked!.failureLine).toMatch(/Could not determine target lifecycle of instance: .*StatusCode: 404/);
    expect(warmed).toMatchObject({ outcome: "skipped" });
    expect(await restartSends(sim.url, WARMED)).toHaveLength(0);
    expect(detail.targets[0]!.reason).toMatch(/^Forced: /);
  }, 90_000);
});

describe("an action whose every instance failed", () => {
  it("ends failed, not completed", async () => {
    const a = await requestAction(
      { kind: "restart", instanceIds: [BLOCKED], force: true, reason: "testing the failed status" },
      LOCAL_ACTOR,
      ctx,
    );
    const events = await drain(a.actionId);
    expect(events.at(-1)).toMatchObject({ type: "action-finished", status: "failed", counts: { "failed-again": 1 } });
    expect((await store.actions.get(a.actionId))?.status).toBe("failed");
  }, 90_000);
});

describe("disable-check-and-restart on a standalone host", () => {
  it("turns the check off, restarts, and the agent registers", async () => {
    const a = await requestAction({ kind: "disable-check-and-restart", instanceIds: [BLOCKED] }, LOCAL_ACTOR, ctx);
    expect(a.accepted).toEqual([BLOCKED]);
    await drain(a.actionId);
    const o = (await store.actions.detail(a.actionId))!.outcomes[0]!;
    expect(o).toMatchObject({ outcome: "registered", verdictAfter: "healthy" });
    expect(o.report?.config).toMatchObject({ previous: "true", value: "false", changed: true });
    expect(o.report?.config?.backup).toMatch(/^\/etc\/ecs\/ecs\.config\.bak\.\d{8}T\d{6}Z/);
  }, 90_000);

  it("is refused for a group member even when forced", async () => {
    const a = await requestAction(
      { kind: "disable-check-and-restart", instanceIds: [WARMED], force: true, reason: "trying to force it" },
      LOCAL_ACTOR,
      ctx,
    );
    expect(a.accepted).toEqual([]);
    expect(a.refused[0]).toMatchObject({ instanceId: WARMED, hard: true });
  });
});
