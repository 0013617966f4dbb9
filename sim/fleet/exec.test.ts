/** Fleet.run: real bash, exit codes and outputs, executionTimeout and cancellation, bounded concurrency. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ID, oneHost, startFleet, type TestFleet } from "./test-helpers.ts";

let t: TestFleet | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe("Fleet.run", () => {
  it("runs the commands as one bash script and returns exit code, stdout and stderr", async () => {
    t = await startFleet(oneHost({}));
    const r = await t.fleet.run(ID, ["x=hi", "echo $x", "echo oops >&2", "exit 3"], { executionTimeoutSeconds: 10 });
    expect(r).toEqual({ exitCode: 3, stdout: "hi\n", stderr: "oops\n", timedOut: false });
    const env = await t.fleet.run(
      ID,
      ['echo "$FLEET_DOCTOR_ROOT|$FLEET_DOCTOR_IMDS_URL|$FLEET_DOCTOR_AGENT_URL"', "command -v systemctl"],
      {
        executionTimeoutSeconds: 10,
      },
    );
    const [root, imds, agent] = env.stdout.split("\n")[0]!.split("|");
    expect(root).toBe(path.join(t.root, ID));
    expect(imds).toBe(`${t.url}/_hosts/${ID}/imds`);
    // Its own loopback address: refused (nothing listening) until the agent registers, as on an instance.
    expect(agent).toMatch(/^http:\/\/127\.10\.0\.1:\d+$/);
    expect(env.stdout.split("\n")[1]).toBe(path.join(t.root, ID, ".sim/bin/systemctl"));
  });

  it("kills the process group at executionTimeout", async () => {
    t = await startFleet(oneHost({}));
    const dir = mkdtempSync(path.join(tmpdir(), "fleet-exec-"));
    const marker = path.join(dir, "child-alive");
    try {
      const r = await t.fleet.run(ID, ["echo started", `(sleep 3; touch ${marker}) &`, "sleep 30", "echo never"], {
        executionTimeoutSeconds: 1,
      });
      expect(r).toMatchObject({ exitCode: -1, stdout: "started\n", timedOut: true });
      // The background child was in the group too: it must not get to write its marker.
      await new Promise((resolve) => setTimeout(resolve, 3500));
      expect(() => readFileSync(marker)).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("kills the script when the signal aborts", async () => {
    t = await startFleet(oneHost({}));
    const ac = new AbortController();
    const p = t.fleet.run(ID, ["echo go", "sleep 30"], { executionTimeoutSeconds: 60, signal: ac.signal });
    setTimeout(() => ac.abort(), 300);
    expect(await p).toMatchObject({ exitCode: -1, stdout: "go\n", timedOut: false });
    const already = await t.fleet.run(ID, ["echo no"], { executionTimeoutSeconds: 5, signal: ac.signal });
    expect(already.stdout).toBe("");
  });

  it("runs at most maxProcesses bash processes at once", async () => {
    const hosts = Array.from({ length: 6 }, (_, i) => ({
      id: `i-0123456789abcde${i.toString(16).padStart(2, "0")}`,
      agentVersion: "1.91.1",
      launchedAgo: "1h",
    }));
    t = await startFleet({ name: "many", hosts }, { maxProcesses: 2 });
    const dir = mkdtempSync(path.join(tmpdir(), "fleet-exec-"));
    const journal = path.join(dir, "journal");
    try {
      await Promise.all(
        [...hosts, ...hosts].map((h) =>
          t!.fleet.run(h.id, [`echo + >> ${journal}`, "sleep 0.3", `echo - >> ${journal}`], {
            executionTimeoutSeconds: 10,
          }),
        ),
      );
      let live = 0;
      let peak = 0;
      for (const e of readFileSync(journal, "utf8").trim().split("\n")) {
        live += e === "+" ? 1 : -1;
        peak = Math.max(peak, live);
      }
      expect(live).toBe(0);
      expect(peak).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rejects unknown hosts", async () => {
    t = await startFleet(oneHost({}));
    expect(() => t!.fleet.run("i-0000000000000000f", ["true"], { executionTimeoutSeconds: 5 })).toThrow(
      /unknown instance/,
    );
  });
});
