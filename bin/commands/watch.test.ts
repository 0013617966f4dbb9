import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator } from "../../sim/main.ts";

/** `fleet-doctor watch` as a user runs it: a child process against the simulator, stopped with Ctrl-C (SIGINT). */
const bin = path.resolve(import.meta.dirname, "../fleet-doctor.mjs");
const dir = mkdtempSync(path.join(tmpdir(), "fd-cli-watch-"));
let sim: { url: string; close(): Promise<void> };

beforeAll(async () => {
  sim = await startSimulator({ port: 0, scenario: "small", exec: "model" });
});
afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

type Watch = { child: ChildProcess; out: string[]; err: () => string; exited: Promise<number | null> };

function watch(db: string, ...args: string[]): Watch {
  const child = spawn(process.execPath, [bin, "watch", ...args], {
    env: {
      ...process.env,
      AWS_ENDPOINT_URL: sim.url,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_REGION: "us-east-1",
      FLEET_DOCTOR_DB: path.join(dir, db),
      FLEET_DOCTOR_LEASE_TTL: "2",
      FLEET_DOCTOR_FULL_SCAN_CRON: "off",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out: string[] = [];
  let err = "";
  child.stdout!.on("data", (b: Buffer) => out.push(...b.toString().split("\n").filter(Boolean)));
  child.stderr!.on("data", (b: Buffer) => {
    err += b.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, out, err: () => err, exited };
}

async function until(what: () => boolean, timeoutMs = 30_000) {
  for (const end = Date.now() + timeoutMs; Date.now() < end; ) {
    if (what()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("timed out");
}

describe("fleet-doctor watch", () => {
  it("refuses a bad --interval or --stale with a message and exit code 2", async () => {
    for (const [flag, value, range] of [
      ["--interval", "0", "1..3600"],
      ["--interval", "1.5", "1..3600"],
      ["--interval", "abc", "1..3600"],
      ["--stale", "59", "60..604800"],
    ] as const) {
      const w = watch("bad.db", flag, value);
      expect(await w.exited).toBe(2);
      expect(w.err()).toContain(`${flag}: '${value}' is not valid: a whole number of seconds, ${range}`);
    }
  }, 60_000);

  it("prints one line per look, waits while another leads, takes over when it stops, and stops on Ctrl-C", async () => {
    const first = watch("lead.db", "--interval", "1");
    await until(() => first.out.length >= 2);
    expect(first.out[0]).toMatch(
      /seen 9 \| probed 9 \(new 9, changed 0, stale 0, transitional 0\) \| scan \S+: .*healthy 1/,
    );
    expect(first.out[0]).toMatch(/\| calls \d+ \| not behind$/);
    // The second look is a quick one (the groups' members and offline instances: fewer seen, fewer calls).
    expect(first.out[1]).toMatch(/seen \d+ \| probed 0 \(new 0, changed 0, stale 0, transitional 0\) \| calls \d+/);

    // A second watcher on the same store contends for the same lease: it waits while the first leads.
    const second = watch("lead.db", "--interval", "1");
    await until(() => second.err().includes("contending"));
    const looksBefore = first.out.length;
    await until(() => first.out.length >= looksBefore + 2);
    expect(second.out).toEqual([]);
    expect(second.err()).not.toContain("leading");

    first.child.kill("SIGINT");
    expect(await first.exited).toBe(0);
    // The first gave the lead up as it stopped: the second leads at once and looks (nothing new by now).
    await until(() => second.out.length >= 1);
    expect(second.err()).toContain("leading");
    expect(second.out[0]).toMatch(/seen 9 \| probed \d+ \(new 0,/);
    second.child.kill("SIGINT");
    expect(await second.exited).toBe(0);
  }, 90_000);
});
