import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type PostgresServer, postgresServer } from "../test/helpers/postgres.ts";
import { runAsLeader } from "./leader.ts";
import { openPgStore } from "./store/pg-store.ts";
import { openStore, type Store } from "./store/store.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

let server: PostgresServer | undefined;
beforeAll(async () => {
  server = await postgresServer();
});
afterAll(async () => {
  await server?.stop();
});

// One engine: `fresh` makes an empty database that several stores (each standing for a replica) open.
const engines = [
  {
    name: "SQLite",
    fresh: async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "fd-leader-"));
      cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
      return path.join(dir, "fleet.db");
    },
    open: async (where: string): Promise<Store> => openStore(where, { leaseTtlSeconds: 1 }),
  },
  {
    name: "PostgreSQL",
    fresh: async () => {
      const db = await freshDatabase(server!);
      cleanup.push(() => db.drop());
      return db.url;
    },
    open: async (where: string): Promise<Store> => {
      const s = openPgStore(where, { leaseTtlSeconds: 1 });
      await s.ready;
      return s;
    },
  },
];

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await sleep(20);
  }
}

/** Work that runs until its signal aborts, recording who runs it now. */
function recorder() {
  const running = new Set<string>();
  const starts: string[] = [];
  const work = (s: Store) => async (signal: AbortSignal) => {
    running.add(s.owner);
    starts.push(s.owner);
    await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
    running.delete(s.owner);
  };
  return { running, starts, work };
}

describe.each(engines)("runAsLeader on $name", (e) => {
  it("gives one of two contenders the lead, keeps it past the TTL, and fails over once a dead leader's lease ran out", async () => {
    const where = await e.fresh();
    const a = await e.open(where);
    const b = await e.open(where);
    const stop = new AbortController();
    const { running, starts, work } = recorder();
    const done = [a, b].map((s) => runAsLeader(s, "watcher", work(s), { signal: stop.signal }));
    cleanup.push(async () => {
      stop.abort();
      await Promise.allSettled(done);
      await a.close();
      await b.close();
    });

    await until(() => running.size === 1);
    const first = [...running][0]!;
    // Several TTLs later, still the same one leader: its heartbeat renews the lease, the other keeps trying.
    await sleep(2500);
    expect([...running]).toEqual([first]);
    expect(starts).toEqual([first]);
    expect((await b.leaderOf("watcher"))?.owner).toBe(first);

    // The leader's process stops (no more heartbeats): the other takes over, but not before the lease ran out.
    const [leader, other] = first === a.owner ? [a, b] : [b, a];
    const diedAt = Date.now();
    await leader.close();
    await until(() => running.has(other.owner), 5000);
    const tookMs = Date.now() - diedAt;
    expect(tookMs).toBeGreaterThanOrEqual(500);
    expect(tookMs).toBeLessThan(3000);
    // The dead one's work was told it lost the lead (it could not confirm its lease).
    await until(() => !running.has(leader.owner), 3000);
    expect(starts).toEqual([first, other.owner]);
    expect((await other.leaderOf("watcher"))?.owner).toBe(other.owner);
  });

  it("returns the work's value and gives the lead up; work that throws gives it up too", async () => {
    const where = await e.fresh();
    const a = await e.open(where);
    const b = await e.open(where);
    cleanup.push(async () => {
      await a.close();
      await b.close();
    });
    expect(await runAsLeader(a, "job", async () => 42)).toBe(42);
    expect(await a.leaderOf("job")).toBeUndefined();
    await expect(
      runAsLeader(b, "job", async () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await b.leaderOf("job")).toBeUndefined();
    // An aborted contender stops waiting: `b` leads `held`, `a` is stopped while waiting for it.
    const held = new AbortController();
    const leading = runAsLeader(b, "held", (signal) => new Promise((r) => signal.addEventListener("abort", r)), {
      signal: held.signal,
    });
    await sleep(200);
    const stop = new AbortController();
    const waiting = runAsLeader(a, "held", async () => "never", { signal: stop.signal });
    await sleep(500);
    stop.abort();
    expect(await waiting).toBeUndefined();
    held.abort();
    await leading;
  });

  it("takes over from a leader process killed with SIGKILL, after its lease ran out", async () => {
    const where = await e.fresh();
    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.join(ROOT, "test/helpers/crash-child.ts"), "lead", where],
      { cwd: ROOT, env: { ...process.env, FLEET_DOCTOR_LEASE_TTL: "1" }, stdio: ["ignore", "pipe", "inherit"] },
    );
    cleanup.push(() => {
      child.kill("SIGKILL");
    });
    const childOwner = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (b: Buffer) => {
        const m = /^LEADING (\S+)$/m.exec(b.toString());
        if (m) resolve(m[1]!);
      });
      child.on("exit", (code) => reject(new Error(`child exited ${code}`)));
    });
    const b = await e.open(where);
    const stop = new AbortController();
    const { running, work } = recorder();
    const done = runAsLeader(b, "watcher", work(b), { signal: stop.signal, checkMs: 100 });
    cleanup.push(async () => {
      stop.abort();
      await done;
      await b.close();
    });
    // The child leads and renews: `b` waits over several TTLs.
    await sleep(2500);
    expect(running.size).toBe(0);
    expect((await b.leaderOf("watcher"))?.owner).toBe(childOwner);

    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await exited;
    const killedAt = Date.now();
    await until(() => running.has(b.owner), 5000);
    const tookMs = Date.now() - killedAt;
    expect(tookMs).toBeLessThan(3000);
    expect((await b.leaderOf("watcher"))?.owner).toBe(b.owner);
  }, 60_000);
});
