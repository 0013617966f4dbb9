/**
 * Crash mid-restart: a process sends the restart and is killed (SIGKILL) while the agent restarts. A new process
 * takes the action over: it collects the command already sent, never sends another, and records the outcome.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { restartSends, simEnv, startSim } from "../../test/helpers/sim.ts";
import { createClients } from "../aws/clients.ts";
import { parseConfig } from "../config.ts";
import { runScan } from "../scan/run-scan.ts";
import { openStore } from "../store/store.ts";
import { actionStore } from "./action-store.ts";
import { requestAction } from "./request-action.ts";

const READY = "i-0a000000000000003";
const ROOT = path.resolve(import.meta.dirname, "../..");
let sim: Awaited<ReturnType<typeof startSim>>;
let dir: string;
let db: string;

beforeAll(async () => {
  sim = await startSim("small");
  dir = mkdtempSync(path.join(tmpdir(), "fd-crash-"));
  db = path.join(dir, "crash.db");
  const config = parseConfig({ ...process.env, ...simEnv(sim.url), FLEET_DOCTOR_DB: db });
  Object.assign(process.env, simEnv(sim.url));
  const store = openStore(db);
  for await (const _ of runScan(
    { kind: "ids", ids: [READY] },
    { clients: createClients(config), store, config, tuning: { firstPollMs: 200, minPollMs: 200 } },
  )) {
    // stored
  }
  store.close();
}, 120_000);

afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs test/helpers/crash-child.ts; resolves with its output when `until` matches a line (then kills it) or when it exits. */
function child(args: string[], until?: RegExp): Promise<{ lines: string[]; killed: boolean }> {
  return new Promise((resolve, reject) => {
    // node itself with tsx's loader (not the tsx wrapper), so the process killed is the one that drives the action.
    const p = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "test/helpers/crash-child.ts"), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...simEnv(sim.url) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const lines: string[] = [];
    let err = "";
    let killed = false;
    p.stdout.on("data", (b: Buffer) => {
      for (const l of b.toString().split("\n").filter(Boolean)) {
        lines.push(l);
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

it("a killed process's restart is collected by the next one: one command, outcome recorded", async () => {
  const first = await child(["request", db, READY], /^SENT /);
  expect(first.killed).toBe(true);
  const actionId = first.lines.find((l) => l.startsWith("SENT "))!.slice(5);
  expect(await restartSends(sim.url, READY)).toHaveLength(1);

  // While nobody drives it, the action still holds the instance: another request joins, it does not send.
  {
    const store = openStore(db);
    const config = parseConfig({ ...process.env, FLEET_DOCTOR_DB: db });
    expect(actionStore(store).get(actionId)?.status).toBe("running");
    const again = requestAction(
      { kind: "restart", instanceIds: [READY] },
      { id: "t", role: "operator" },
      { store, config },
    );
    expect(again).toMatchObject({ created: false, actionId });
    store.close();
  }

  const second = await child(["resume", db]);
  expect(second.lines).toContain(`RESUMED ${actionId}`);
  expect(second.lines).toContain("DONE");

  expect(await restartSends(sim.url, READY)).toHaveLength(1);
  const store = openStore(db);
  const detail = actionStore(store).detail(actionId)!;
  expect(detail.status).toBe("completed");
  expect(detail.outcomes).toHaveLength(1);
  expect(detail.outcomes[0]).toMatchObject({ instanceId: READY, outcome: "registered", verdictAfter: "healthy" });
  const types = actionStore(store)
    .eventsSince(actionId, 0)
    .map((e) => e.event.type);
  expect(types).toContain("resumed");
  expect(types.filter((t) => t === "batch-sent")).toHaveLength(1);
  store.close();
}, 120_000);
