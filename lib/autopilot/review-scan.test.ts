/**
 * reviewScan against the simulator, through the real SDK and a real SQLite store: alerts go to a small recording
 * sink (a real AlertSink); restarts are counted in the simulator's call log.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ScannedFleet, scannedFleet } from "../../test/helpers/scanned-fleet.ts";
import { restartSends, startSim } from "../../test/helpers/sim.ts";
import { requestAction } from "../actions/request-action.ts";
import { runAction } from "../actions/run-action.ts";
import type { AlertEvent, AlertSink } from "../alerts/types.ts";
import { LOCAL_ACTOR } from "../auth/roles.ts";
import type { ReviewContext } from "./context.ts";
import { NO_GROUP } from "./context.ts";
import { reviewScan } from "./review-scan.ts";
import { settleActions } from "./settle-actions.ts";
import type { Policy } from "./types.ts";

const HEALTHY = "i-0a000000000000001";
const BLOCKED = "i-0a000000000000002";
const READY = "i-0a000000000000003";

/** Records what it is handed, as the alerts module would receive it. */
class RecordingSink implements AlertSink {
  sent: AlertEvent[][] = [];
  resolvedCalls: { fleet: string; instanceIds: string[] }[] = [];
  async send(events: AlertEvent[]) {
    this.sent.push(events);
  }
  async resolved(fleet: string, instanceIds: string[]) {
    this.resolvedCalls.push({ fleet, instanceIds });
  }
  all() {
    return this.sent.flat();
  }
}

let fleet: ScannedFleet;
let scanId: string;
let fleetId: string;

beforeAll(async () => {
  fleet = await scannedFleet(await startSim("small"), "fd-autopilot-");
  const [scan] = await fleet.store.listScans({ limit: 1 });
  scanId = scan!.id;
  fleetId = (await fleet.store.scanFleet(scanId))!;
}, 120_000);

afterAll(() => fleet?.close());

function context(sink: AlertSink, over: Partial<ReviewContext["config"]> = {}): ReviewContext {
  return { ...fleet.ctx, config: { ...fleet.ctx.config, ...over }, alerts: sink, pollMs: 300 };
}

const policy = (over: Partial<Policy>): Policy => ({
  fleet: fleetId,
  group: null,
  mode: "notify",
  dryRun: false,
  maxRestartsPerHour: 5,
  breakerFailures: 3,
  breakerWindowMinutes: 15,
  author: "ops@example.com",
  updatedAt: new Date().toISOString(),
  ...over,
});

describe("reviewScan", () => {
  it("does nothing while every policy is off (none set)", async () => {
    const sink = new RecordingSink();
    const r = await reviewScan(scanId, context(sink));
    await r.settled;
    expect(r.decisions).toEqual([]);
    expect(sink.sent).toEqual([]);
    expect(await restartSends(fleet.sim.url)).toHaveLength(0);
  });

  it("under `notify`, hands failing instances to the sink in one send, resolves healthy ones, sends nothing", async () => {
    await fleet.store.autopilot.setPolicy(policy({ group: null, mode: "notify" }), "ops@example.com");
    const sink = new RecordingSink();
    const r = await reviewScan(scanId, context(sink));
    await r.settled;
    expect(sink.sent).toHaveLength(1);
    const failing = sink.sent[0]!.filter((e) => e.kind === "new-failure");
    expect(failing.map((e) => e.instanceId)).toEqual(expect.arrayContaining([READY, BLOCKED]));
    expect(failing.find((e) => e.instanceId === READY)).toMatchObject({ verdict: "lifecycle-404:ready", group: "web" });
    expect(failing.map((e) => e.instanceId)).not.toContain(HEALTHY);
    expect(sink.resolvedCalls.flatMap((c) => c.instanceIds)).toContain(HEALTHY);
    expect(r.actions).toEqual([]);
    expect(await restartSends(fleet.sim.url)).toHaveLength(0);
    const notified = (await fleet.store.autopilot.recent(fleetId)).filter((e) => e.kind === "notified");
    expect(notified.map((e) => e.instanceId)).toContain(READY);
  });

  it("restarts nothing while the page's kill switch is engaged, and says why", async () => {
    await fleet.store.autopilot.setPolicy(policy({ group: "web", mode: "restart" }), "ops@example.com");
    await fleet.store.autopilot.setKillSwitch(true, "ops@example.com", fleetId);
    try {
      const r = await reviewScan(scanId, context(new RecordingSink()));
      await r.settled;
      expect(r.actions).toEqual([]);
      expect(await restartSends(fleet.sim.url)).toHaveLength(0);
      const skipped = (await fleet.store.autopilot.recent(fleetId)).find(
        (e) => e.kind === "skipped" && e.instanceId === READY,
      );
      expect(skipped?.detail).toMatch(/kill switch/);
    } finally {
      await fleet.store.autopilot.setKillSwitch(false, "ops@example.com", fleetId);
    }
    // The variable (FLEET_DOCTOR_AUTOPILOT=off), and a watcher that stopped (its signal aborted): nothing either.
    const byVariable = await reviewScan(scanId, context(new RecordingSink(), { autopilotKilled: true }));
    const stopped = await reviewScan(scanId, { ...context(new RecordingSink()), signal: AbortSignal.abort() });
    await Promise.all([byVariable.settled, stopped.settled]);
    expect(byVariable.decisions.find((d) => d.group === "web")?.decision.skipped).toEqual([
      expect.objectContaining({ instanceId: READY, why: "kill-switch" }),
    ]);
    expect([...byVariable.actions, ...stopped.actions]).toEqual([]);
    expect(await restartSends(fleet.sim.url)).toHaveLength(0);
  });

  it("a dry run records what it would restart, once per failure, alerts it, and sends nothing", async () => {
    await fleet.store.autopilot.setPolicy(policy({ group: "web", mode: "restart", dryRun: true }), "ops@example.com");
    const sink = new RecordingSink();
    for (let n = 0; n < 2; n++) {
      const r = await reviewScan(scanId, context(n === 0 ? sink : new RecordingSink()));
      await r.settled;
      expect(r.actions).toEqual([]);
    }
    expect(await restartSends(fleet.sim.url)).toHaveLength(0);
    const dry = (await fleet.store.autopilot.recent(fleetId)).filter((e) => e.kind === "dry-run");
    expect(dry.map((e) => e.instanceId)).toEqual([READY]);
    expect(sink.all().filter((e) => e.kind === "automatic-action")).toEqual([
      expect.objectContaining({ instanceId: READY, outcome: "dry-run", policyAuthor: "ops@example.com" }),
    ]);
    await fleet.store.autopilot.setPolicy(policy({ group: "web", mode: "restart" }), "ops@example.com");
  });

  it("under `restart`, two reviews at once (two replicas) send exactly one restart to the lifecycle-404:ready instance, verified; a later review sends nothing", async () => {
    const sink = new RecordingSink();
    const other = new RecordingSink();
    const [a, b] = await Promise.all([reviewScan(scanId, context(sink)), reviewScan(scanId, context(other))]);
    await Promise.all([a.settled, b.settled]);
    const started = [...a.actions, ...b.actions];
    expect(started).toEqual([{ group: "web", actionId: expect.any(String), instanceIds: [READY] }]);
    const r = a.actions.length > 0 ? a : b;
    const mine = a.actions.length > 0 ? sink : other;
    const sends = await restartSends(fleet.sim.url);
    expect(sends).toHaveLength(1);
    expect((sends[0]!.params as { InstanceIds: string[] }).InstanceIds).toEqual([READY]);

    const action = (await fleet.store.actions.get(r.actions[0]!.actionId))!;
    expect(action.actor).toBe("autopilot");
    expect(action.reason).toContain("ops@example.com");
    expect(action.status).toBe("completed");

    const log = await fleet.store.autopilot.recent(fleetId);
    expect(log.filter((e) => e.instanceId === READY).map((e) => e.kind)).toEqual(
      expect.arrayContaining(["restart-sent", "verified"]),
    );
    const outcomes = mine
      .all()
      .filter((e) => e.kind === "automatic-action")
      .map((e) => (e.kind === "automatic-action" ? [e.instanceId, e.outcome, e.policyAuthor] : []));
    expect(outcomes).toEqual([
      [READY, "restart-sent", "ops@example.com"],
      [READY, "verified", "ops@example.com"],
    ]);

    // The same scan reviewed again (the watcher retrying, another replica): the failure is claimed, nothing is sent.
    const again = await reviewScan(scanId, context(new RecordingSink()));
    await again.settled;
    expect(again.actions).toEqual([]);
    expect(await restartSends(fleet.sim.url)).toHaveLength(1);
    const web = again.decisions.find((d) => d.group === "web")!;
    expect(web.decision.skipped).toEqual([expect.objectContaining({ instanceId: READY, why: "already-restarted" })]);
  }, 120_000);

  it("an automatic restart that fails verification is recorded once, and trips the breaker at the policy's count", async () => {
    // The instance in no group takes the default policy; a breaker of 1 failure trips on the first.
    const def = policy({ group: null, mode: "restart", breakerFailures: 1, breakerWindowMinutes: 15 });
    await fleet.store.autopilot.setPolicy(def, "ops@example.com");
    // A restart that fails again (a 404 with no group to publish a state), logged as autopilot's own.
    const a = await requestAction(
      { kind: "restart", instanceIds: [BLOCKED], force: true, reason: "a restart that cannot work" },
      LOCAL_ACTOR,
      fleet.ctx,
    );
    for await (const _ of runAction(a.actionId, fleet.ctx)) {
      // stored
    }
    await fleet.store.autopilot.append([
      {
        at: new Date().toISOString(),
        fleet: fleetId,
        group: NO_GROUP,
        instanceId: BLOCKED,
        kind: "restart-sent",
        detail: "test",
        actionId: a.actionId,
        actor: "autopilot",
      },
    ]);
    const sink = new RecordingSink();
    const policyOf = () => def;
    await Promise.all([
      settleActions(fleetId, policyOf, { ...fleet.ctx, alerts: sink }),
      settleActions(fleetId, policyOf, { ...fleet.ctx, alerts: sink }),
    ]);
    const log = await fleet.store.autopilot.recent(fleetId);
    expect(log.filter((e) => e.actionId === a.actionId && e.kind === "failed-verification")).toHaveLength(1);
    expect(log.filter((e) => e.kind === "breaker-tripped")).toHaveLength(1);
    expect(await fleet.store.autopilot.breakers(fleetId)).toEqual([
      expect.objectContaining({ group: NO_GROUP, failures: 1 }),
    ]);
    expect(sink.all().map((e) => e.kind)).toEqual(["automatic-action", "breaker-tripped"]);
    expect(sink.all()[0]).toMatchObject({ outcome: "failed-verification", instanceId: BLOCKED });
  }, 120_000);
});
