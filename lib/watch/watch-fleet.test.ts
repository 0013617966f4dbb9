/**
 * The watcher against the simulator: the real SDK (AWS_ENDPOINT_URL), a real SQLite store, the simulator's call log
 * to see what it asked AWS. Model exec (the probe's output rendered in-process) keeps the file quick.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startSimulator } from "../../sim/main.ts";
import { simCalls, simEnv } from "../../test/helpers/sim.ts";
import { createClients } from "../aws/clients.ts";
import { openStore, type Store } from "../store/store.ts";
import { countCalls } from "./count-calls.ts";
import { WATCHER, type WatchContext, type WatchTurn, watchFleet } from "./watch-fleet.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
type Sim = Awaited<ReturnType<typeof startSimulator>>;
let sim: Sim;
const tmp = mkdtempSync(path.join(tmpdir(), "fd-watch-"));
const cleanup: (() => unknown)[] = [];

beforeAll(async () => {
  sim = await startSimulator({ scenario: "small", exec: "model" });
  Object.assign(process.env, simEnv(sim.url));
});
afterAll(async () => {
  await sim?.close();
  rmSync(tmp, { recursive: true, force: true });
});
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
  await control("/_sim/faults", {});
  await control("/_sim/reset", {});
});

async function control(pathname: string, body?: unknown, method = "POST") {
  const res = await fetch(`${sim.url}${pathname}`, {
    method,
    ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${pathname}: ${res.status} ${await res.text()}`);
  return res.json();
}

function context(store: Store, maxAttempts = 3): WatchContext {
  const clients = createClients({ region: "us-east-1", maxAttempts });
  return {
    store,
    clients,
    callCounter: countCalls(clients),
    scan: {
      clients: createClients({ region: "us-east-1", maxAttempts }),
      config: {
        sendRate: 20,
        pollRate: 50,
        probeTimeoutSeconds: 30,
        deliveryTimeoutSeconds: 60,
        joinGraceSeconds: 300,
      },
      tuning: { firstPollMs: 200, minPollMs: 200, maxPollMs: 500 },
    },
    config: { enabled: true, intervalSeconds: 1, staleSeconds: 3600 },
  };
}

/** Runs the watcher until the test ends; `next(pred)` resolves with the first turn from now on that matches. */
function watch(
  ctx: WatchContext,
  extra: {
    backoff?: { baseMs: number; capMs: number };
    afterScan?: (id: string, s: AbortSignal) => Promise<void>;
  } = {},
) {
  const stop = new AbortController();
  const turns: WatchTurn[] = [];
  const waiters = new Set<{ pred: (t: WatchTurn) => boolean; resolve: (t: WatchTurn) => void }>();
  const done = watchFleet(ctx, {
    signal: stop.signal,
    transitionalIntervals: 10_000,
    ...extra,
    onTurn: (t) => {
      turns.push(structuredClone(t));
      for (const w of waiters) {
        if (!w.pred(t)) continue;
        waiters.delete(w);
        w.resolve(structuredClone(t));
      }
    },
  });
  cleanup.push(async () => {
    stop.abort();
    await done;
  });
  const next = (pred: (t: WatchTurn) => boolean, timeoutMs = 30_000) =>
    new Promise<WatchTurn>((resolve, reject) => {
      const w = { pred, resolve };
      waiters.add(w);
      setTimeout(() => {
        if (waiters.delete(w)) reject(new Error(`no such turn in ${timeoutMs} ms; turns: ${JSON.stringify(turns)}`));
      }, timeoutMs).unref();
    });
  const end = () => {
    stop.abort();
    return done;
  };
  return { turns, next, stop: end };
}

function sqlite(name: string): Store {
  const s = openStore(path.join(tmp, `${name}-${Date.now()}.db`), { leaseTtlSeconds: 2 });
  cleanup.push(() => s.close());
  return s;
}

const isLook = (t: WatchTurn): t is Extract<WatchTurn, { kind: "look" }> => t.kind === "look";
const INVENTORY = new Set(["DescribeInstanceInformation", "DescribeAutoScalingGroups", "DescribeWarmPool"]);

describe("watchFleet against the simulator", () => {
  it("probes every instance once, then only what changed, with calls that each cover many instances", async () => {
    const store = sqlite("changed");
    const w = watch(context(store));
    const first = await w.next((t) => isLook(t) && t.look.scanId !== undefined);
    if (!isLook(first)) throw new Error("not a look");
    expect(first.look.found.new).toBe(first.look.seen);
    expect(first.look.seen).toBeGreaterThan(5);
    expect((await store.getScan(first.look.scanId!))?.actor).toBe("watcher");
    expect(Object.values(first.look.verdicts!).reduce((a, b) => a + b, 0)).toBe(first.look.seen);

    // A quiet look: nothing new, nothing changed, no probe.
    const quiet = await w.next((t) => isLook(t) && t.look.at > first.look.at);
    if (!isLook(quiet)) throw new Error("not a look");
    // (A quick look sees the groups' members and the offline instances: not the instances in no group.)
    expect(quiet.look).toMatchObject({ found: { new: 0, changed: 0, stale: 0 } });
    expect(quiet.look.seen).toBeGreaterThan(0);
    expect(quiet.look.seen).toBeLessThanOrEqual(first.look.seen);
    expect(quiet.look.scanId).toBeUndefined();

    // One instance joins a group (its lifecycle state changes): the next look probes it alone.
    const mark = (await control("/_sim/calls", undefined, "DELETE")) as { lastSeq: number };
    await control("/_sim/hosts/i-0a000000000000002/attach", { group: "web" });
    const changed = await w.next((t) => isLook(t) && t.look.found.changed > 0);
    if (!isLook(changed)) throw new Error("not a look");
    // (The simulator's group takes it through Pending to InService: each state is a change.)
    expect(changed.planned).toEqual([
      { instanceId: "i-0a000000000000002", reason: "changed", why: expect.stringMatching(/^lifecycle no group -> /) },
    ]);
    expect(changed.look.found).toMatchObject({ new: 0, changed: 1, stale: 0 });
    await w.stop();

    const calls = (await simCalls(sim.url)).filter((c) => c.seq > mark.lastSeq);
    const sends = calls.filter((c) => c.op === "SendCommand");
    expect(sends.length).toBeGreaterThan(0);
    for (const c of sends) expect(c.params.InstanceIds).toEqual(["i-0a000000000000002"]);
    // The looks' inventory calls name no instance (SSM's whole listing, every group, the warm pool); the only calls
    // that name one are the probe's, for the instance that changed.
    const inventory = calls.filter((c) => INVENTORY.has(c.op) || c.op === "DescribeAutoScalingInstances");
    const naming = inventory.filter((c) => JSON.stringify(c.params).includes("i-0a"));
    expect(inventory.length).toBeGreaterThan(naming.length);
    for (const c of naming) {
      expect(c.op === "DescribeInstanceInformation" || c.op === "DescribeAutoScalingInstances").toBe(true);
      expect(JSON.stringify(c.params).match(/i-0a\d+/g)).toEqual(["i-0a000000000000002"]);
    }
    expect(naming.length).toBeLessThanOrEqual(2 * sends.length);
    // The first look is full (every managed instance, ECS); the next is quick: a handful of calls for the whole
    // fleet (the groups with their warm pools, SSM's offline instances), whatever its size.
    expect(first.look.full).toBe(true);
    expect(quiet.look.full).toBe(false);
    expect(quiet.look.calls).toBeGreaterThanOrEqual(2);
    expect(quiet.look.calls).toBeLessThan(first.look.calls);
    expect(quiet.look.calls).toBeLessThan(6);
  }, 90_000);

  it("backs off and says it is behind while the simulator throttles, and catches up once it stops", async () => {
    const store = sqlite("throttled");
    await control("/_sim/faults", { throttle: { DescribeAutoScalingGroups: 0 } });
    const w = watch(context(store, 2), { backoff: { baseMs: 200, capMs: 2000 } });
    const one = await w.next((t) => t.kind === "behind");
    const two = await w.next((t) => t.kind === "behind" && t.state.behind!.retryAt > one.state.behind!.retryAt);
    const three = await w.next((t) => t.kind === "behind" && t.state.behind!.retryAt > two.state.behind!.retryAt);
    expect(one.state.behind!.reason).toMatch(/DescribeAutoScalingGroups.*Throttl/);
    // Behind since the first failure, until a look succeeds; each retry later than the one before.
    expect(three.state.behind!.since).toBe(one.state.behind!.since);
    expect((await store.watchState(WATCHER))?.behind?.since).toBe(one.state.behind!.since);
    // Exponential with jitter (half to all of it), from 200 ms: 100..200, 200..400, 400..800 ms.
    const waits = [one, two, three].map((t) => (t.kind === "behind" ? t.waitMs : -1));
    expect(waits[0]).toBeGreaterThanOrEqual(100);
    expect(waits[0]).toBeLessThanOrEqual(200);
    expect(waits[1]).toBeGreaterThanOrEqual(200);
    expect(waits[1]).toBeLessThanOrEqual(400);
    expect(waits[2]).toBeGreaterThanOrEqual(400);
    expect(waits[2]).toBeLessThanOrEqual(800);
    expect(three.state.nextLookAt).toBe(three.state.behind!.retryAt);

    await control("/_sim/faults", {});
    const ok = await w.next((t) => isLook(t));
    expect(ok.state.behind).toBeUndefined();
    await w.stop();
    expect((await store.watchState(WATCHER))?.behind).toBeUndefined();
    expect((await store.watchState(WATCHER))?.lastLook?.found.new).toBeGreaterThan(0);
  }, 90_000);

  it("runs full scans on its cron and calls afterScan once each scan it ran has ended", async () => {
    const store = sqlite("full");
    const ended: { scanId: string; status?: string }[] = [];
    const ctx = {
      ...context(store),
      config: { enabled: true, intervalSeconds: 1, staleSeconds: 3600, fullScanCron: "*/3 * * * * *" },
    };
    const w = watch(ctx, {
      afterScan: async (scanId) => {
        ended.push({ scanId, status: (await store.getScan(scanId))?.status });
      },
    });
    const full = await w.next((t) => t.kind === "full-scan");
    if (full.kind !== "full-scan" || full.outcome.kind !== "scanned") throw new Error(JSON.stringify(full));
    expect(full.state.fullScan).toMatchObject({ cron: "*/3 * * * * *", lastScanId: full.outcome.scanId });
    expect(Date.parse(full.state.fullScan.nextAt!)).toBeGreaterThan(Date.parse(full.state.fullScan.lastAt!));
    const scan = await store.getScan(full.outcome.scanId);
    expect(scan).toMatchObject({ actor: "watcher", targets: { kind: "all" } });
    await w.stop();
    // Every scan the watcher ran (the first look's probe, the full scan) was handed over once, after it ended.
    const ran = w.turns.flatMap((t) =>
      t.kind === "look" && t.look.scanId
        ? [t.look.scanId]
        : t.kind === "full-scan" && t.outcome.kind === "scanned"
          ? [t.outcome.scanId]
          : [],
    );
    expect(ended.map((e) => e.scanId)).toEqual(ran);
    for (const e of ended) expect(["completed", "partial"]).toContain(e.status);
    expect((await store.watchState(WATCHER))?.fullScan.lastScanId).toBe(full.outcome.scanId);
  }, 90_000);

  it("skips its probe while a user's scan of the fleet runs, naming it", async () => {
    const store = sqlite("busy");
    await control("/_sim/faults", { latencyMs: 1500, ops: ["GetCommandInvocation", "ListCommandInvocations"] });
    const { startScan } = await import("../scan/start-scan.ts");
    const user = await startScan({ kind: "group", name: "web" }, { ...context(store).scan, store, actor: "alice" });
    const w = watch(context(store));
    const skipped = await w.next((t) => t.kind === "look" && t.look.skipped !== undefined);
    if (!isLook(skipped)) throw new Error("not a look");
    expect(skipped.look.skipped).toEqual({
      reason: `scan ${user.scanId} of the fleet is running`,
      scanId: user.scanId,
    });
    expect(skipped.look.scanId).toBeUndefined();
    expect(skipped.look.full).toBe(true);
    await control("/_sim/faults", {});
    // Once it ended, the next look probes what the user's scan did not cover: a full look again (the skipped one's
    // plan was not carried out, and only a full look sees the instances in no group).
    const probed = await w.next((t) => isLook(t) && t.look.scanId !== undefined);
    if (!isLook(probed)) throw new Error("not a look");
    expect((await store.getScan(user.scanId))?.status).not.toBe("running");
    expect(probed.look.found.new).toBeGreaterThan(0);
    expect(probed.look.full).toBe(true);
  }, 90_000);

  it("resumes after its leader is killed mid-probe: another takes over after the lease and probes what is left", async () => {
    const db = path.join(tmp, "killed.db");
    const store = openStore(db, { leaseTtlSeconds: 2 });
    cleanup.push(() => store.close());
    // The probe's results come back slowly, so the kill lands after the send and before they are all stored.
    await control("/_sim/faults", { latencyMs: 1500, ops: ["GetCommandInvocation", "ListCommandInvocations"] });
    const mark = (await control("/_sim/calls", undefined, "DELETE")) as { lastSeq: number };
    const child: ChildProcess = spawn(
      process.execPath,
      ["--import", "tsx", path.join(ROOT, "test/helpers/watch-child.ts"), db],
      {
        cwd: ROOT,
        env: { ...process.env, FLEET_DOCTOR_LEASE_TTL: "2", FLEET_DOCTOR_WATCH_INTERVAL: "1" },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    cleanup.push(() => child.kill("SIGKILL"));
    const childOwner = await new Promise<string>((resolve, reject) => {
      child.stdout!.on("data", (b: Buffer) => {
        const m = /LEADING (\S+)/.exec(b.toString());
        if (m) resolve(m[1]!);
      });
      child.once("exit", (code) => reject(new Error(`child exited ${code}`)));
    });
    for (let i = 0; i < 300 && (await simCalls(sim.url, "SendCommand")).every((c) => c.seq <= mark.lastSeq); i++) {
      await sleep(100);
    }
    const [probeScan] = await store.listScans({ limit: 1 });
    expect(probeScan).toMatchObject({ actor: "watcher", status: "running" });
    child.kill("SIGKILL");
    const killedAt = Date.now();
    await control("/_sim/faults", {});
    const storedBefore = (await store.latestSeen()).length;

    // This process contends as a second server would; it leads once the dead one's lease has run out.
    const { runAsLeader } = await import("../leader.ts");
    const stop = new AbortController();
    const turns: WatchTurn[] = [];
    let ledAt = 0;
    const ctx = context(store);
    const running = runAsLeader(
      store,
      WATCHER,
      (signal) => {
        ledAt = Date.now();
        return watchFleet(ctx, { signal, transitionalIntervals: 10_000, onTurn: (t) => turns.push(t) });
      },
      { signal: stop.signal },
    );
    cleanup.push(async () => {
      stop.abort();
      await running;
    });
    for (let i = 0; i < 400 && !turns.some((t) => isLook(t) && t.look.found.new === 0 && !t.look.skipped); i++) {
      await sleep(100);
    }
    const looks = turns.filter(isLook);
    const last = looks.at(-1)!;
    expect(last.look).toMatchObject({ found: { new: 0 } });
    expect(ledAt - killedAt).toBeGreaterThan(0);
    expect(await store.leaderOf(WATCHER)).toMatchObject({ owner: store.owner });
    expect(store.owner).not.toBe(childOwner);
    // The dead leader's scan ended `interrupted`; the instances it had not stored were probed by the new leader.
    expect((await store.getScan(probeScan!.id))?.status).toBe("interrupted");
    // The new leader's first look is a full one: it sees every instance, and probes those with no result.
    const resumed = looks.find((t) => t.look.scanId && t.look.found.new > 0);
    expect(resumed?.look.full).toBe(true);
    const seenIds = resumed!.look.seen;
    expect(storedBefore).toBeLessThan(seenIds);
    expect((await store.latestSeen()).length).toBe(seenIds);
    expect(resumed?.look.found.new).toBe(seenIds - storedBefore);
  }, 120_000);
});
