/**
 * A server's scan whose process is killed (SIGKILL) mid-scan is taken over by another process once its lease runs
 * out, and finished as the same scan: every instance gets a result, no instance is in two SendCommands (the
 * simulator's call log), and a command SSM accepted but the dead owner never stored is found by its Comment and
 * collected, not sent again. A CLI scan (not marked for takeover) still ends `interrupted`. Real SQLite and real
 * PostgreSQL; the children hold 2 s leases (FLEET_DOCTOR_LEASE_TTL).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { paginateDescribeInstanceInformation, SendCommandCommand } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateScenario } from "../../sim/fleet/index.ts";
import { startSimulator } from "../../sim/main.ts";
import { freshDatabase, type PostgresServer, postgresServer } from "../../test/helpers/postgres.ts";
import { type SimCall, simCalls, simEnv } from "../../test/helpers/sim.ts";
import { createClients } from "../aws/clients.ts";
import { parseConfig } from "../config.ts";
import { probeCommands } from "../probe/scripts.ts";
import { openConfiguredStore, type Store } from "../store/index.ts";
import { resumeScans } from "./resume-scans.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const HOSTS = 240;
// Slow sends (2 a second, 50 instances each) so that the child is killed with batches still to send.
const ENV = { FLEET_DOCTOR_LEASE_TTL: "2", FLEET_DOCTOR_SEND_RATE: "2" };

let sim: Awaited<ReturnType<typeof startSimulator>>;
let dir: string;

function configAt(where: string) {
  const env = where.startsWith("postgres://") ? { FLEET_DOCTOR_DATABASE_URL: where } : { FLEET_DOCTOR_DB: where };
  return parseConfig({ ...process.env, ...simEnv(sim.url), ...ENV, ...env });
}

/** Runs the child; resolves with its scan id once `ready()` says so (then kills it with SIGKILL). */
function killedChild(mode: "serve" | "cli", db: string, ready: () => Promise<boolean>): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      ["--import", "tsx", path.join(ROOT, "test/helpers/scan-takeover-child.ts"), mode, db],
      { cwd: ROOT, env: { ...process.env, ...simEnv(sim.url), ...ENV }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let scanId = "";
    let err = "";
    let killed = false;
    p.stderr.on("data", (b: Buffer) => {
      err += b.toString();
    });
    p.stdout.on("data", (b: Buffer) => {
      const m = /^SCAN (\S+)/m.exec(b.toString());
      if (!m || scanId) return;
      scanId = m[1]!;
      void (async () => {
        // The simulator's call log says when batches have gone out: poll it, then kill.
        while (!(await ready())) await sleep(50);
        killed = true;
        p.kill("SIGKILL");
      })().catch(reject);
    });
    p.on("exit", (code) => {
      if (killed && scanId) resolve(scanId);
      else reject(new Error(`child exited ${code} before it was killed: ${err}`));
    });
  });
}

const sends = async () =>
  (await simCalls(sim.url, "SendCommand")).filter(
    (c) => (c.params as { Comment?: string }).Comment?.startsWith("fleet-doctor scan") ?? false,
  );
const idsOf = (c: SimCall) => ((c.params as { InstanceIds?: string[] }).InstanceIds ?? []) as string[];

async function onlineIds(store: Store, where: string): Promise<string[]> {
  void store;
  const ssm = createClients(configAt(where)).ssm;
  const ids: string[] = [];
  for await (const page of paginateDescribeInstanceInformation(
    { client: ssm },
    { Filters: [{ Key: "PingStatus", Values: ["Online"] }] },
  )) {
    for (const i of page.InstanceInformationList ?? []) if (i.InstanceId) ids.push(i.InstanceId);
  }
  return ids;
}

describe.each(["SQLite", "PostgreSQL"] as const)("scan takeover on %s", (engine) => {
  let server: PostgresServer | undefined;
  let dropDb: (() => Promise<void>) | undefined;
  let db: string;

  beforeAll(async () => {
    sim = await startSimulator({ scenario: generateScenario({ hosts: HOSTS, seed: 11 }), exec: "model" });
    dir = mkdtempSync(path.join(tmpdir(), "fd-takeover-"));
    // This process is the taker: its SDK clients reach the simulator as the children's do.
    Object.assign(process.env, simEnv(sim.url));
    if (engine === "SQLite") db = path.join(dir, "takeover.db");
    else {
      server = await postgresServer();
      const fresh = await freshDatabase(server);
      db = fresh.url;
      dropDb = fresh.drop;
    }
  }, 120_000);

  afterAll(async () => {
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
    await dropDb?.();
    await server?.stop();
  });

  it("a killed server's scan is finished by another process: every instance once, nothing sent twice", async () => {
    const scanId = await killedChild("serve", db, async () => (await sends()).length >= 2);
    const before = await sends();
    const sentBefore = new Set(before.flatMap(idsOf));
    expect(before.length).toBeGreaterThanOrEqual(2);

    const config = configAt(db);
    const store = openConfiguredStore(config);
    try {
      const online = await onlineIds(store, db);
      const unsent = online.filter((id) => !sentBefore.has(id));
      // Batches were left to send: the takeover has both kinds of work.
      expect(unsent.length).toBeGreaterThan(1);
      // A SendCommand SSM accepted whose id the dead owner never stored: the scan's Comment names it.
      const orphan = unsent[0]!;
      await createClients(config).ssm.send(
        new SendCommandCommand({
          DocumentName: "AWS-RunShellScript",
          InstanceIds: [orphan],
          Parameters: { commands: probeCommands() },
          Comment: `fleet-doctor scan ${scanId}`,
        }),
      );

      // Its owner's lease runs out: the scan stays `running` (a server may take it over), then this process does.
      let taken: Awaited<ReturnType<typeof resumeScans>> = [];
      const deadline = Date.now() + 20_000;
      while (taken.length === 0 && Date.now() < deadline) {
        expect((await store.getScan(scanId))?.status).toBe("running");
        taken = await resumeScans({
          clients: createClients(config),
          store,
          config,
          tuning: { firstPollMs: 200, minPollMs: 200 },
        });
        if (taken.length === 0) await sleep(200);
      }
      expect(taken.map((t) => t.scanId)).toEqual([scanId]);
      // A second taker finds it held.
      expect(await store.takeOverScan(scanId)).toBe(false);
      await taken[0]!.done;

      const row = await store.getScan(scanId);
      expect(["completed", "partial"]).toContain(row?.status);
      const results = await store.scanResults(scanId);
      expect(results.length).toBe(HOSTS);
      expect(new Set(results.map((r) => r.instanceId)).size).toBe(HOSTS);

      const all = await sends();
      const count = new Map<string, number>();
      for (const c of all) for (const id of idsOf(c)) count.set(id, (count.get(id) ?? 0) + 1);
      const twice = [...count].filter(([, n]) => n > 1).map(([id]) => id);
      expect(twice).toEqual([]);
      // Every online instance was sent the probe exactly once, the orphan by the command found in SSM.
      expect(online.every((id) => count.get(id) === 1)).toBe(true);
      expect(all.filter((c) => idsOf(c).includes(orphan))).toHaveLength(1);

      const events = await store.eventsSince(scanId, 0, 100_000);
      expect(events.filter((e) => e.event.type === "resumed")).toHaveLength(1);
      expect(events.filter((e) => e.event.type === "scan-finished")).toHaveLength(1);
    } finally {
      await store.close();
    }
  }, 120_000);

  it("a killed CLI scan is not taken over: it ends interrupted", async () => {
    await fetch(`${sim.url}/_sim/reset`, { method: "POST" });
    const scanId = await killedChild("cli", db, async () => (await sends()).length >= 1);
    const config = configAt(db);
    const store = openConfiguredStore(config);
    try {
      const deadline = Date.now() + 20_000;
      let status = (await store.getScan(scanId))?.status;
      while (status === "running" && Date.now() < deadline) {
        expect(await resumeScans({ clients: createClients(config), store, config })).toEqual([]);
        await sleep(200);
        status = (await store.getScan(scanId))?.status;
      }
      expect(status).toBe("interrupted");
    } finally {
      await store.close();
    }
  }, 60_000);
});
