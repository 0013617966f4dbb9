/**
 * Crash mid-restart: a process sends the restart and is killed (SIGKILL) while the agent restarts. A new process
 * takes the action over: it collects the command already sent, never sends another, and records the outcome.
 * Killed before the command reached SSM: the action ends `interrupted`, nothing sent. A scan whose process is
 * killed: another process sees it `interrupted` once its lease runs out, its stream ends; a live one is cancelled
 * from another process. The children hold 2 s leases (FLEET_DOCTOR_LEASE_TTL).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ListCommandsCommand } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type PostgresServer, postgresServer } from "../../test/helpers/postgres.ts";
import { restartSends, simEnv, startSim } from "../../test/helpers/sim.ts";
import { createClients } from "../aws/clients.ts";
import { parseConfig } from "../config.ts";
import { FleetDoctorError } from "../errors.ts";
import { scanEventStream } from "../http/sse.ts";
import { runScan } from "../scan/run-scan.ts";
import { cancelScan } from "../scan/start-scan.ts";
import { openConfiguredStore, type Store } from "../store/index.ts";
import { requestAction } from "./request-action.ts";

const READY = "i-0a000000000000003";
const BLOCKED = "i-0a000000000000002";
const LEASE = { FLEET_DOCTOR_LEASE_TTL: "2" };
const ROOT = path.resolve(import.meta.dirname, "../..");
let sim: Awaited<ReturnType<typeof startSim>>;
let dir: string;
let db: string;

/** The store at `db`: a SQLite file, or a PostgreSQL database when it is a postgres:// URL (as the children open it). */
function openAt(where: string): Store {
  const env = where.startsWith("postgres://") ? { FLEET_DOCTOR_DATABASE_URL: where } : { FLEET_DOCTOR_DB: where };
  return openConfiguredStore(parseConfig({ ...process.env, ...env }));
}

/** Runs test/helpers/crash-child.ts; resolves with its output when `until` matches a line (then kills it) or when it exits. */
function child(
  args: string[],
  until?: RegExp,
  onLine?: (line: string) => void,
): Promise<{ lines: string[]; killed: boolean }> {
  return new Promise((resolve, reject) => {
    // node itself with tsx's loader (not the tsx wrapper), so the process killed is the one that drives the action.
    const p = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "test/helpers/crash-child.ts"), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...simEnv(sim.url), ...LEASE },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const lines: string[] = [];
    let err = "";
    let killed = false;
    p.stdout.on("data", (b: Buffer) => {
      for (const l of b.toString().split("\n").filter(Boolean)) {
        lines.push(l);
        onLine?.(l);
        if (until?.test(l) && !killed) {
          killed = true;
          p.kill("SIGKILL");
        }
      }
    });
    p.stderr.on("data", (b: Buffer) => {
      err += b.toString();
    });
    p.on("exit", (code, signal) => {
      if (code !== 0 && signal !== "SIGKILL") reject(new Error(`child exited ${code}: ${err}`));
      else resolve({ lines, killed });
    });
  });
}

async function setFaults(faults: unknown): Promise<void> {
  const res = await fetch(`${sim.url}/_sim/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(faults),
  });
  expect(res.ok).toBe(true);
}

/** Reads an SSE body to its end (or fails after `ms`); returns the events' types and data. */
async function readStream(body: ReadableStream<Uint8Array>, ms: number): Promise<{ type: string; data: string }[]> {
  const text = await Promise.race([
    new Response(body).text(),
    sleep(ms).then(() => {
      throw new Error(`the stream did not end within ${ms} ms`);
    }),
  ]);
  return [...text.matchAll(/^event: (.+)\ndata: (.+)$/gm)].map((m) => ({ type: m[1]!, data: m[2]! }));
}

// Each engine gets its own simulator (the tests count the commands it received) and its own database; the children
// are separate processes on the same store, as replicas are.
describe.each(["SQLite", "PostgreSQL"] as const)("crash and takeover on %s", (engine) => {
  let server: PostgresServer | undefined;
  let dropDb: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    sim = await startSim("small");
    dir = mkdtempSync(path.join(tmpdir(), "fd-crash-"));
    if (engine === "SQLite") db = path.join(dir, "crash.db");
    else {
      server = await postgresServer();
      const fresh = await freshDatabase(server);
      db = fresh.url;
      dropDb = fresh.drop;
    }
    const config = parseConfig({ ...process.env, ...simEnv(sim.url), FLEET_DOCTOR_DB: db });
    Object.assign(process.env, simEnv(sim.url));
    const store = openAt(db);
    for await (const _ of runScan(
      { kind: "ids", ids: [READY] },
      { clients: createClients(config), store, config, tuning: { firstPollMs: 200, minPollMs: 200 } },
    )) {
      // stored
    }
    await store.close();
  }, 120_000);

  afterAll(async () => {
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
    await dropDb?.();
    await server?.stop();
  });

  it("a killed process's restart is collected by the next one: one command, outcome recorded", async () => {
    const first = await child(["request", db, READY], /^SENT /);
    expect(first.killed).toBe(true);
    const actionId = first.lines.find((l) => l.startsWith("SENT "))!.slice(5);
    expect(await restartSends(sim.url, READY)).toHaveLength(1);

    // While nobody drives it, the action still holds the instance: another request joins, it does not send.
    {
      const store = openAt(db);
      const config = parseConfig({ ...process.env, FLEET_DOCTOR_DB: db });
      expect((await store.actions.get(actionId))?.status).toBe("running");
      const again = await requestAction(
        { kind: "restart", instanceIds: [READY] },
        { id: "t", role: "operator" },
        { store, config },
      );
      expect(again).toMatchObject({ created: false, actionId });
      await store.close();
    }

    // The killed process's lease must run out before anyone may take its action over.
    await sleep(2_500);
    const second = await child(["resume", db]);
    expect(second.lines).toContain(`RESUMED ${actionId}`);
    expect(second.lines).toContain("DONE");

    expect(await restartSends(sim.url, READY)).toHaveLength(1);
    const store = openAt(db);
    const detail = (await store.actions.detail(actionId))!;
    expect(detail.status).toBe("completed");
    expect(detail.outcomes).toHaveLength(1);
    expect(detail.outcomes[0]).toMatchObject({ instanceId: READY, outcome: "registered", verdictAfter: "healthy" });
    const types = (await store.actions.eventsSince(actionId, 0)).map((e) => e.event.type);
    expect(types).toContain("resumed");
    expect(types.filter((t) => t === "batch-sent")).toHaveLength(1);
    await store.close();
  }, 120_000);

  it("a process killed after accepting a restart, before the command reached SSM: interrupted, nothing sent", async () => {
    // Every SendCommand fails with a 5xx (the SDK retries it): the restart cannot reach SSM while the child runs.
    await setFaults({ errorRate: 1, ops: ["SendCommand"] });
    let first: Awaited<ReturnType<typeof child>>;
    try {
      first = await child(["request", db, BLOCKED, "force"], /^SENDING /);
    } finally {
      await setFaults({});
    }
    expect(first.killed).toBe(true);
    const actionId = first.lines.find((l) => l.startsWith("SENDING "))!.slice(8);

    await sleep(2_500); // its lease runs out
    const second = await child(["resume", db]);
    expect(second.lines).toContain(`RESUMED ${actionId}`);

    // SSM holds no command for it. (The child is killed once it says it is sending, so its one SendCommand may
    // still reach the simulator's call log first; it is answered with a 5xx and never becomes a command.)
    const config = parseConfig({ ...process.env, ...simEnv(sim.url) });
    const listed = await createClients(config).ssm.send(new ListCommandsCommand({ InstanceId: BLOCKED }));
    expect(listed.Commands ?? []).toEqual([]);
    expect((await restartSends(sim.url, BLOCKED)).length).toBeLessThanOrEqual(1);
    const store = openAt(db);
    try {
      const detail = (await store.actions.detail(actionId))!;
      expect(detail.status).toBe("interrupted");
      expect(detail.commands).toHaveLength(0);
      expect(detail.outcomes).toHaveLength(1);
      expect(detail.outcomes[0]).toMatchObject({ instanceId: BLOCKED, outcome: "skipped" });
      expect(detail.outcomes[0]!.message).toMatch(/nothing was sent/);
      // The instance is free again.
      expect(await store.actions.inflightAction(BLOCKED)).toBeUndefined();
    } finally {
      await store.close();
    }
  }, 120_000);

  it("a scan whose process is killed: another process sees it interrupted, its stream ends, cancel says it ended", async () => {
    // Slow collection down so the scan is still running when it is killed.
    await setFaults({ latencyMs: 1500, ops: ["ListCommandInvocations"] });
    const store = openAt(db);
    try {
      let scanId = "";
      let stream: Promise<{ type: string; data: string }[]> | undefined;
      const run = await child(["scan", db], /^SCAN /, (line) => {
        if (!line.startsWith("SCAN ") || stream) return;
        scanId = line.slice(5);
        // A dashboard watching the scan when its process dies: the stream must end by itself.
        stream = store
          .eventsSince(scanId, 0, 500)
          .then((first) => readStream(scanEventStream({ store, scanId, after: 0, first }), 15_000));
      });
      const killedAt = Date.now();
      expect(run.killed).toBe(true);
      expect((await store.getScan(scanId))?.status).toBe("running"); // its lease is still alive

      const events = await stream!;
      expect(events.at(-1)).toMatchObject({ type: "scan-finished" });
      expect(JSON.parse(events.at(-1)!.data)).toMatchObject({ status: "interrupted" });
      // Within the lease (2 s) and a heartbeat or a poll of the stream, not at the next restart.
      expect(Date.now() - killedAt).toBeLessThan(6_000);
      expect((await store.getScan(scanId))?.status).toBe("interrupted");
      const scan = (await store.getScan(scanId))!;
      await expect(cancelScan(store, scan)).rejects.toMatchObject({
        code: "CONFLICT",
        details: { scanId, status: "interrupted" },
      });
      await expect(cancelScan(store, scan)).rejects.toBeInstanceOf(FleetDoctorError);
    } finally {
      await setFaults({});
      await store.close();
    }
  }, 120_000);

  it("a scan another process runs is cancelled from here: its owner hears it and ends it cancelled", async () => {
    await setFaults({ latencyMs: 1500, ops: ["ListCommandInvocations"] });
    const store = openAt(db);
    try {
      let asked: Promise<unknown> | undefined;
      const run = await child(["scan", db], undefined, (line) => {
        if (!line.startsWith("SCAN ") || asked) return;
        const scanId = line.slice(5);
        asked = store.getScan(scanId).then((scan) => cancelScan(store, scan!));
      });
      expect(await asked).toMatchObject({ status: "cancelling" });
      expect(run.lines.at(-1)).toBe("FINISHED cancelled");
      const scanId = run.lines.find((l) => l.startsWith("SCAN "))!.slice(5);
      expect((await store.getScan(scanId))?.status).toBe("cancelled");
      expect((await store.eventsSince(scanId, 0)).at(-1)?.event).toMatchObject({
        type: "scan-finished",
        status: "cancelled",
      });
    } finally {
      await setFaults({});
      await store.close();
    }
  }, 120_000);
});
