/**
 * The scan against the simulator through the real SDK (AWS_ENDPOINT_URL set before clients are created). The demo
 * fleet runs the real probe with real bash; the fault, cancel and crash tests use the simulator's model mode (same
 * output, rendered in-process) so the file stays quick on a shared machine.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSimulator } from "../../sim/main.ts";
import { simScanContext } from "../../test/helpers/scan-context.ts";
import { simEnv } from "../../test/helpers/sim.ts";
import { openStore, type Store } from "../store/store.ts";
import { runScan, type ScanContext } from "./run-scan.ts";
import type { ScanEvent, Targets } from "./types.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
type Host = {
  id: string;
  expect?: string;
  ssm?: { pingStatus?: string };
  stopped?: boolean;
  group?: { name: string; detachedAgo?: string };
};
const demo = JSON.parse(readFileSync(path.join(ROOT, "sim/scenarios/demo.json"), "utf8")) as { hosts: Host[] };
const expected = new Map(demo.hosts.filter((h) => h.expect && !h.stopped).map((h) => [h.id, h.expect!]));
const offline = demo.hosts.filter((h) => !h.stopped && h.ssm?.pingStatus && h.ssm.pingStatus !== "Online");

type Sim = { url: string; close(): Promise<void> };
let bashSim: Sim;
let modelSim: Sim;
let store: Store;
const tmp = mkdtempSync(path.join(tmpdir(), "fd-scan-"));

async function control(sim: Sim, pathname: string, body?: unknown) {
  const res = await fetch(`${sim.url}${pathname}`, {
    method: body === undefined ? "GET" : "POST",
    ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${pathname}: ${res.status} ${await res.text()}`);
  return res.json();
}

type Call = { seq: number; op: string; params: Record<string, unknown> };
async function calls(sim: Sim, op?: string): Promise<Call[]> {
  return ((await control(sim, `/_sim/calls${op ? `?op=${op}` : ""}`)) as { calls: Call[] }).calls;
}

function context(sim: Sim, extra: Partial<ScanContext> = {}): ScanContext {
  Object.assign(process.env, simEnv(sim.url));
  return simScanContext(store, extra);
}

async function collect(targets: Targets, ctx: ScanContext, onEvent?: (e: ScanEvent) => void | Promise<void>) {
  const events: ScanEvent[] = [];
  for await (const e of runScan(targets, ctx)) {
    events.push(e);
    await onEvent?.(e);
  }
  return events;
}

function verdicts(events: ScanEvent[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of events) if (e.type === "instance") out.set(e.instanceId, e.verdict);
  return out;
}

function expectAllVerdicts(events: ScanEvent[]) {
  const got = verdicts(events);
  expect(Object.fromEntries([...expected].map(([id]) => [id, got.get(id)]))).toEqual(Object.fromEntries(expected));
}

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = "test";
  process.env.AWS_SECRET_ACCESS_KEY = "test";
  [bashSim, modelSim] = await Promise.all([
    startSimulator({ port: 0, scenario: "demo", exec: "bash" }),
    startSimulator({ port: 0, scenario: "demo", exec: "model" }),
  ]);
}, 60_000);

afterAll(async () => {
  store?.close();
  await Promise.all([bashSim?.close(), modelSim?.close()]);
  rmSync(tmp, { recursive: true, force: true });
});

beforeEach(async () => {
  store?.close();
  store = openStore(":memory:");
  for (const sim of [bashSim, modelSim]) {
    await control(sim, "/_sim/faults", {});
    await fetch(`${sim.url}/_sim/calls`, { method: "DELETE" });
  }
});

describe("runScan against the demo fleet (real bash, real probe)", () => {
  it("reaches every host's expected verdict, never sends to offline hosts, stores before yielding", async () => {
    expect(expected.size).toBeGreaterThan(20);
    expect(offline.length).toBeGreaterThan(0);
    let checked = 0;
    let scanId = "";
    const events = await collect({ kind: "all" }, context(bashSim), async (e) => {
      if (e.type === "scan-started") scanId = e.scanId;
      if (e.type === "instance") {
        // Slim: the event says which instance and its verdict; the full result is already stored.
        expect(Object.keys(e).sort()).toEqual(
          ["at", "instanceId", "status", "type", "verdict", ...(e.group ? ["group"] : [])].sort(),
        );
        expect((await store.scanResult(scanId, e.instanceId))?.verdict).toBe(e.verdict);
        checked++;
      }
    });
    expect(checked).toBe(expected.size);
    expectAllVerdicts(events);
    expect(events.at(-1)).toMatchObject({ type: "scan-finished", status: "completed" });
    expect(await store.getScan(scanId)).toMatchObject({
      status: "completed",
      done: expected.size,
      total: expected.size,
    });
    expect((await store.eventsSince(scanId, 0)).map((s) => s.event)).toEqual(events);

    const sends = await calls(bashSim, "SendCommand");
    const sent = new Set(sends.flatMap((c) => c.params.InstanceIds as string[]));
    for (const h of offline) {
      expect(sent.has(h.id)).toBe(false);
      expect(verdicts(events).get(h.id)).toBe("ssm-unreachable");
    }
    // The API shape: batches of <= 50 with the scan's comment and timeouts; collection by list pages with details.
    expect(sends.length).toBe(Math.ceil(sent.size / 50));
    for (const s of sends) {
      expect((s.params.InstanceIds as string[]).length).toBeLessThanOrEqual(50);
      expect(s.params).toMatchObject({ DocumentName: "AWS-RunShellScript", Comment: `fleet-doctor scan ${scanId}` });
      expect(s.params.TimeoutSeconds).toBe(60);
      expect((s.params.Parameters as { executionTimeout: string[] }).executionTimeout).toEqual(["30"]);
    }
    const lists = await calls(bashSim, "ListCommandInvocations");
    for (const l of lists) expect(l.params).toMatchObject({ Details: true, MaxResults: 50 });
    expect(await calls(bashSim, "GetCommandInvocation")).toHaveLength(0);
    // Membership is read per group (one page of groups, each warm pool), not per 50 instances.
    expect(await calls(bashSim, "DescribeAutoScalingInstances")).toHaveLength(0);
    expect(await calls(bashSim, "DescribeAutoScalingGroups")).toHaveLength(1);
  });
});

describe("runScan in model mode", () => {
  it("scans by group (warm pool included) and by ids, with membership", async () => {
    const batch = demo.hosts.filter((h) => h.group?.name === "batch" && !h.group.detachedAgo).map((h) => h.id);
    const byGroup = await collect({ kind: "group", name: "batch" }, context(modelSim));
    expect([...verdicts(byGroup).keys()].sort()).toEqual([...batch].sort());
    for (const e of byGroup) if (e.type === "instance") expect(e.group).toBe("batch");
    expect((await calls(modelSim, "DescribeWarmPool")).length).toBeGreaterThan(0);
    // The membership evidence names the call that reported it: the group's listing, or its warm pool's.
    const scanId = (byGroup[0] as { scanId: string }).scanId;
    const sources = new Set<string>();
    for (const r of await store.scanResults(scanId)) {
      const full = await store.scanResult(scanId, r.instanceId);
      const ev = full?.diagnosis.evidence.find((e) => e.source.kind === "api" && e.source.field === "LifecycleState");
      if (ev?.source.kind === "api") sources.add(ev.source.api);
    }
    expect(sources.size).toBeGreaterThan(0);
    for (const api of sources)
      expect(["autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeWarmPool"]).toContain(api);

    const someIds = [...expected.keys()].slice(0, 3);
    const byIds = verdicts(await collect({ kind: "ids", ids: someIds }, context(modelSim)));
    expect([...byIds.keys()].sort()).toEqual([...someIds].sort());
    for (const id of someIds) expect(byIds.get(id)).toBe(expected.get(id));

    const failed = await collect({ kind: "group", name: "no-such-group" }, context(modelSim));
    expect(failed.at(-1)).toMatchObject({ type: "scan-finished", status: "failed" });
  });

  it("survives throttling and reports it", async () => {
    await control(modelSim, "/_sim/faults", {
      throttle: { SendCommand: 1, ListCommandInvocations: 2, DescribeInstanceInformation: 1 },
    });
    const events = await collect({ kind: "all" }, context(modelSim));
    expectAllVerdicts(events);
    expect(events.some((e) => e.type === "warning" && e.kind === "throttled")).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: "scan-finished", status: "completed" });
  });

  it("survives bursts of 5xx", async () => {
    await control(modelSim, "/_sim/faults", { errorRate: 0.3 });
    const events = await collect({ kind: "all" }, context(modelSim));
    expectAllVerdicts(events);
    expect(events.at(-1)).toMatchObject({ type: "scan-finished", status: "completed" });
  });

  it("cancels mid-scan: CancelCommand for the outstanding command, status cancelled", async () => {
    const controller = new AbortController();
    const events = await collect({ kind: "all" }, context(modelSim, { signal: controller.signal }), (e) => {
      if (e.type === "batch-sent") controller.abort();
    });
    expect(events.at(-1)).toMatchObject({ type: "scan-finished", status: "cancelled" });
    const sent = events.find((e) => e.type === "batch-sent") as { commandId: string };
    expect((await calls(modelSim, "CancelCommand")).map((c) => c.params.CommandId)).toContain(sent.commandId);
    const scanId = (events[0] as { scanId: string }).scanId;
    expect((await store.getScan(scanId))?.status).toBe("cancelled");
  });
});

describe("a crash mid-scan", () => {
  let child: ChildProcess | undefined;
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });

  it("keeps the results stored so far and marks the scan interrupted once its lease runs out", async () => {
    const db = path.join(tmp, "crash.db");
    // Slow collection down so the process is killed with results stored and others outstanding.
    await control(modelSim, "/_sim/faults", { latencyMs: 1500, ops: ["ListCommandInvocations"] });
    child = spawn(process.execPath, [path.join(ROOT, "bin/fleet-doctor.mjs"), "scan", "--json"], {
      env: {
        ...process.env,
        AWS_ENDPOINT_URL: modelSim.url,
        FLEET_DOCTOR_DB: db,
        FLEET_DOCTOR_SEND_RATE: "1",
        FLEET_DOCTOR_LEASE_TTL: "2",
      },
      stdio: "ignore",
    });
    const exited = new Promise((resolve) => child!.once("exit", resolve));
    // Wait on what the child stored, not on time.
    let stored = 0;
    for (let i = 0; i < 600 && stored < 1; i++) {
      await new Promise((r) => setTimeout(r, 100));
      try {
        const ro = new Database(db, { readonly: true, fileMustExist: true });
        try {
          stored = (ro.prepare("SELECT count(*) AS n FROM results").get() as { n: number }).n;
        } finally {
          ro.close();
        }
      } catch {
        // not created yet
      }
    }
    expect(stored).toBeGreaterThan(0);
    child.kill("SIGKILL");
    await exited;

    const reopened = openStore(db);
    try {
      // The killed process's lease (2 s) runs out; then any reader sees the scan interrupted.
      for (let i = 0; i < 100 && (await reopened.listScans())[0]?.status === "running"; i++) await sleep(100);
      const [scan] = await reopened.listScans();
      expect(scan).toMatchObject({ status: "interrupted" });
      expect(scan!.done).toBeGreaterThanOrEqual(stored);
      expect(scan!.done).toBeLessThan(expected.size);
      expect((await reopened.scanResults(scan!.id)).length).toBe(scan!.done);
      expect((await reopened.eventsSince(scan!.id, 0)).at(-1)?.event).toMatchObject({
        type: "scan-finished",
        status: "interrupted",
      });
    } finally {
      await reopened.close();
    }
  });
});
