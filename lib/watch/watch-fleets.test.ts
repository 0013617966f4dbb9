/**
 * The watcher over several fleets against the simulator's `multi` scenario: one leader, one loop per fleet, each
 * with its own assumed role. prod and staging are looked at and probed, each under its own fleet; sandbox's role
 * cannot be assumed, so it is behind with an error of its own while the others go on. Real SDK, real SQLite, the
 * simulator's call log per account.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { startSimulator } from "../../sim/main.ts";
import { startMultiSim } from "../../test/helpers/multi-fleets.ts";
import type { SimCall } from "../../test/helpers/sim.ts";
import { createAlertSink } from "../alerts/create-alert-sink.ts";
import { autopilotAfterScan } from "../autopilot/after-watcher-scan.ts";
import { parseConfig } from "../config.ts";
import { clientsForFleet } from "../fleets/clients-for-fleet.ts";
import { listFleets } from "../fleets/list-fleets.ts";
import { openStore } from "../store/store.ts";
import type { FleetWatch, WatchLook } from "./types.ts";
import { watchContext } from "./watch-context.ts";
import { watchFleets } from "./watch-fleets.ts";
import { watchStatus } from "./watch-status.ts";

const PROD = "111111111111/us-east-1";
const STAGING = "222222222222/us-east-1";
const SANDBOX = "333333333333/us-east-1";
let sim: Awaited<ReturnType<typeof startSimulator>>;
const tmp = mkdtempSync(path.join(tmpdir(), "fd-watch-fleets-"));

beforeAll(async () => {
  sim = await startMultiSim();
}, 60_000);
afterAll(async () => {
  await sim?.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function callsOf(account: string, op: string): Promise<SimCall[]> {
  const res = await fetch(`${sim.url}/_sim/calls?op=${op}&account=${account}`);
  return ((await res.json()) as { calls: SimCall[] }).calls;
}

describe("watchFleets", () => {
  it("looks at every fleet with its own role; a denied fleet is an error of its own and the others go on", async () => {
    const file = path.join(tmp, "fleets.yaml");
    writeFileSync(
      file,
      `defaults: { role: FleetDoctorMember, regions: [us-east-1] }
accounts:
  - { account_id: "111111111111", name: prod, external_id: fleet-doctor-demo }
  - { account_id: "222222222222", name: staging }
  - { account_id: "333333333333", name: sandbox }
`,
    );
    const c = parseConfig({
      ...process.env,
      FLEET_DOCTOR_FLEETS: file,
      FLEET_DOCTOR_DB: path.join(tmp, "watch.db"),
      FLEET_DOCTOR_MAX_ATTEMPTS: "2",
      FLEET_DOCTOR_FULL_SCAN_CRON: "off",
    });
    const store = openStore(path.join(tmp, "watch.db"));
    const watch = { ...c.watch, enabled: true, intervalSeconds: 1 };
    const view = await listFleets(c);
    expect(view.source).toBe("file");
    const stop = new AbortController();
    // Each fleet's first look (a full one) as its loop reports it, once its probe has ended.
    const first = new Map<string, WatchLook>();
    const running = watchFleets(
      view,
      {
        store,
        config: watch,
        contextFor: (t) =>
          watchContext(store, c, watch, { region: t.region, clients: clientsForFleet(t, c, { user: "watcher" }) }),
      },
      {
        signal: stop.signal,
        backoff: { baseMs: 200, capMs: 1000 },
        onTurn: (turn) => {
          if (turn.kind === "look" && turn.fleet && !first.has(turn.fleet)) first.set(turn.fleet, turn.look);
        },
      },
    );
    const byFleet = (fleets: FleetWatch[] | undefined) => new Map((fleets ?? []).map((f) => [f.fleet, f]));
    let status = await watchStatus(store, { watch });
    for (let i = 0; i < 300; i++) {
      status = await watchStatus(store, { watch });
      const f = byFleet(status.fleets);
      if (first.has(PROD) && first.has(STAGING) && f.get(SANDBOX)?.error) break;
      await sleep(100);
    }
    stop.abort();
    await running;
    try {
      const f = byFleet(status.fleets);
      expect([...f.keys()].sort()).toEqual([PROD, STAGING, SANDBOX].sort());
      // Each member fleet looked at and probed under its own fleet.
      for (const [id, hosts] of [
        [PROD, 12],
        [STAGING, 10],
      ] as const) {
        const look = first.get(id);
        expect(look, id).toBeDefined();
        expect(f.get(id)?.lastLook).toBeDefined();
        expect(look!.full).toBe(true);
        expect(look!.seen).toBeGreaterThan(0);
        expect(look!.seen).toBeLessThanOrEqual(hosts);
        expect(await store.scanFleet(look!.scanId!)).toBe(id);
        expect(f.get(id)?.error).toBeUndefined();
      }
      // The denied fleet: its own error, no look, nothing read in its account.
      expect(f.get(SANDBOX)?.lastLook).toBeUndefined();
      expect(f.get(SANDBOX)?.error?.code).toBe("AccessDenied");
      expect(f.get(SANDBOX)?.behind?.reason).toContain("333333333333");
      expect(await callsOf("333333333333", "DescribeInstanceInformation")).toEqual([]);
      expect((await callsOf("111111111111", "DescribeInstanceInformation")).length).toBeGreaterThan(0);
      expect((await callsOf("222222222222", "DescribeInstanceInformation")).length).toBeGreaterThan(0);
      // The probe's commands went to each fleet's own account, never the management account's.
      expect((await callsOf("111111111111", "SendCommand")).length).toBeGreaterThan(0);
      expect((await callsOf("222222222222", "SendCommand")).length).toBeGreaterThan(0);
      expect(await callsOf("123456789012", "SendCommand")).toEqual([]);
      // The status's newest look is one of the fleets'.
      expect([f.get(PROD)?.lastLook?.at, f.get(STAGING)?.lastLook?.at]).toContain(status.lastLook?.at);
    } finally {
      await store.close();
    }
  }, 90_000);

  it("reviews each fleet's scans with that fleet's policies and clients: group web restarts in prod only", async () => {
    const file = path.join(tmp, "fleets-2.yaml");
    writeFileSync(
      file,
      `defaults: { role: FleetDoctorMember, regions: [us-east-1] }
accounts:
  - { account_id: "111111111111", name: prod, external_id: fleet-doctor-demo }
  - { account_id: "222222222222", name: staging }
`,
    );
    const db = path.join(tmp, "autopilot.db");
    const c = parseConfig({
      ...process.env,
      FLEET_DOCTOR_FLEETS: file,
      FLEET_DOCTOR_DB: db,
      FLEET_DOCTOR_FULL_SCAN_CRON: "off",
      FLEET_DOCTOR_RESTART_WAIT: "20",
    });
    const store = openStore(db);
    const watch = { ...c.watch, enabled: true, intervalSeconds: 1 };
    const policy = { dryRun: false, maxRestartsPerHour: 20, breakerFailures: 3, breakerWindowMinutes: 15 };
    const at = new Date().toISOString();
    // The same group name in two fleets: restart in prod, off in staging.
    await store.autopilot.setPolicy(
      { fleet: PROD, group: "web", mode: "restart", ...policy, author: "ops", updatedAt: at },
      "ops",
    );
    await store.autopilot.setPolicy(
      { fleet: STAGING, group: "web", mode: "off", ...policy, author: "ops", updatedAt: at },
      "ops",
    );
    const view = await listFleets(c);
    const stop = new AbortController();
    const running = watchFleets(
      view,
      {
        store,
        config: watch,
        contextFor: (t) =>
          watchContext(store, c, watch, { region: t.region, clients: clientsForFleet(t, c, { user: "watcher" }) }),
      },
      { signal: stop.signal, afterScan: autopilotAfterScan(store, c, createAlertSink({ store, webhooks: [] })) },
    );
    let done: Awaited<ReturnType<typeof store.actions.list>> = [];
    for (let i = 0; i < 600; i++) {
      done = await store.actions.list({ fleet: PROD });
      if (done.length > 0 && done.every((a) => a.status !== "running")) break;
      await sleep(100);
    }
    stop.abort();
    await running;
    try {
      expect(done.length).toBeGreaterThan(0);
      expect(done.every((a) => a.actor === "autopilot" && a.fleet === PROD)).toBe(true);
      expect(await store.actions.list({ fleet: STAGING })).toEqual([]);
      const restarts = async (account: string) =>
        (await callsOf(account, "SendCommand")).filter((call) =>
          ((call.params as { Parameters?: { commands?: string[] } }).Parameters?.commands?.[1] ?? "").startsWith(
            "# fleet-doctor-restart",
          ),
        );
      // What prod's actions restarted was sent in prod's account, and only there.
      const sent = (await restarts("111111111111")).flatMap(
        (call) => (call.params as { InstanceIds: string[] }).InstanceIds,
      );
      expect(sent.length).toBeGreaterThan(0);
      const accepted = (await Promise.all(done.map((a) => store.actions.detail(a.id)))).flatMap((d) =>
        (d?.targets ?? []).filter((t) => t.decision === "accepted").map((t) => t.instanceId),
      );
      expect(sent.sort()).toEqual(accepted.sort());
      expect(await restarts("222222222222")).toEqual([]);
      expect(await restarts("123456789012")).toEqual([]);
    } finally {
      await store.close();
    }
  }, 90_000);
});
