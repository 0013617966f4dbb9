import { expect, test } from "@playwright/test";
import { type Server, simulatorEnv, startNext } from "../bin/servers.ts";
import { freshDatabase, type PostgresServer, postgresServer } from "../test/helpers/postgres.ts";

/*
 * Two `next start` replicas on one PostgreSQL database (FLEET_DOCTOR_DATABASE_URL), both pointed at the simulator
 * global-setup started: a scan started through A is watched live through B (its events woken on B by A's NOTIFY),
 * and B refuses a second scan of the same fleet while A's runs, naming it. Then A is killed (SIGKILL) in the middle
 * of a batch restart and B finishes it without sending anything twice. Both hold 3 s leases (FLEET_DOCTOR_LEASE_TTL)
 * so that B may take A's action over a few seconds after A died.
 */
test.describe.configure({ mode: "serial" });

const LEASE_TTL_S = 3;
let pgServer: PostgresServer;
let database: Awaited<ReturnType<typeof freshDatabase>>;
let a: Server;
let b: Server;
let replicaEnv: Record<string, string>;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  pgServer = await postgresServer();
  database = await freshDatabase(pgServer);
  const env = {
    ...simulatorEnv(process.env.FLEET_DOCTOR_SIM_URL!),
    FLEET_DOCTOR_DATABASE_URL: database.url,
    FLEET_DOCTOR_LEASE_TTL: String(LEASE_TTL_S),
    // These replicas' scans and restarts are the tests' own; the watcher's pair is at the end of this file.
    FLEET_DOCTOR_WATCH: "off",
  };
  // One after the other: both migrate under the advisory lock either way, but two builds starting at once on two
  // cores make the start slow enough to time out.
  replicaEnv = env;
  a = await startNext(env);
  b = await startNext(env);
});

test.afterAll(async () => {
  // The restart changed the fleet: give the specs that follow the scenario as it was.
  await fetch(`${simUrl()}/_sim/reset`, { method: "POST" });
  await a?.stop(); // (already gone when the last test killed it)
  await b?.stop();
  await database?.drop();
  await pgServer?.stop();
});

const json = (origin: string) => ({ origin, "content-type": "application/json" });
const simUrl = () => process.env.FLEET_DOCTOR_SIM_URL!;

test("a scan started on replica A streams live on replica B, which refuses a second scan of the fleet", async () => {
  const started = await fetch(`${a.url}/api/scans`, {
    method: "POST",
    headers: json(a.url),
    body: JSON.stringify({ targets: { kind: "all" } }),
  });
  expect(started.status).toBe(202);
  const { scanId } = (await started.json()) as { scanId: string };
  const startedAt = Date.now();

  // B, another replica, answers for the same fleet with the running scan's id (other targets, same fleet).
  const second = await fetch(`${b.url}/api/scans`, {
    method: "POST",
    headers: json(b.url),
    body: JSON.stringify({ targets: { kind: "group", name: "web" } }),
  });
  expect(second.status).toBe(409);
  const refusal = (await second.json()) as { error: { code: string; message: string; details: { scanId: string } } };
  expect(refusal.error).toMatchObject({ code: "CONFLICT", details: { scanId } });
  expect(refusal.error.message).toContain(scanId);

  // B streams the scan A runs: every event in order, arriving over the scan's run, to scan-finished.
  const stream = await fetch(`${b.url}/api/scans/${scanId}/events`);
  expect(stream.status).toBe(200);
  const reader = stream.body!.getReader();
  const decoder = new TextDecoder();
  const frames: { seq: number; type: string; at: number }[] = [];
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    for (let end = text.indexOf("\n\n"); end >= 0; end = text.indexOf("\n\n")) {
      const frame = text.slice(0, end);
      text = text.slice(end + 2);
      const id = /^id: (\d+)$/m.exec(frame);
      const type = /^event: (.+)$/m.exec(frame);
      if (id && type) frames.push({ seq: Number(id[1]), type: type[1]!, at: Date.now() - startedAt });
    }
  }
  expect(frames.map((f) => f.seq)).toEqual(frames.map((_, i) => i + 1));
  expect(frames[0]?.type).toBe("scan-started");
  expect(frames.at(-1)?.type).toBe("scan-finished");
  expect(frames.filter((f) => f.type === "instance").length).toBeGreaterThan(0);
  // Live, not replayed at the end: the events reached B at several distinct moments while A ran the scan.
  expect(new Set(frames.map((f) => Math.floor(f.at / 100))).size).toBeGreaterThan(2);
  console.log(
    `replicas: ${frames.length} events of scan ${scanId} streamed on B over ${frames.at(-1)!.at} ms after the start on A`,
  );

  const onB = (await (await fetch(`${b.url}/api/scans/${scanId}`)).json()) as { scan: { status: string } };
  expect(["completed", "partial"]).toContain(onB.scan.status);
  // Once it ended, B starts the next scan of the fleet.
  const next = await fetch(`${b.url}/api/scans`, {
    method: "POST",
    headers: json(b.url),
    body: JSON.stringify({ targets: { kind: "group", name: "web" } }),
  });
  expect(next.status).toBe(202);
});

type SimCall = { seq: number; op: string; params: { InstanceIds?: string[]; Parameters?: { commands?: string[] } } };

/** The SendCommand calls carrying the restart script that the simulator received after call `since`. */
async function restartSendsSince(since: number): Promise<SimCall[]> {
  const res = await fetch(`${simUrl()}/_sim/calls?op=SendCommand&since=${since}`);
  const { calls } = (await res.json()) as { calls: SimCall[] };
  return calls.filter((c) => c.params.Parameters?.commands?.[1]?.startsWith("# fleet-doctor-restart"));
}

/** Scans `ids` through `server` to its end (waiting out a scan of the fleet still running: one scan per fleet). */
async function scanToEnd(server: Server, ids: string[]): Promise<void> {
  await expect
    .poll(
      async () => {
        const res = await fetch(`${server.url}/api/scans`, {
          method: "POST",
          headers: json(server.url),
          body: JSON.stringify({ targets: { kind: "ids", ids } }),
        });
        if (res.status !== 202) return `${res.status}`;
        const { scanId } = (await res.json()) as { scanId: string };
        await expect
          .poll(
            async () =>
              ((await (await fetch(`${server.url}/api/scans/${scanId}`)).json()) as { scan: { status: string } }).scan
                .status,
            { timeout: 60_000 },
          )
          .not.toBe("running");
        return "scanned";
      },
      { timeout: 90_000, intervals: [500] },
    )
    .toBe("scanned");
}

type ScanBody = { scan: { status: string; total?: number; done: number } };
const scanOn = async (server: Server, id: string) =>
  ((await (await fetch(`${server.url}/api/scans/${id}`)).json()) as ScanBody).scan;

test("A is killed (SIGKILL) during a scan: B takes the same scan over and finishes it, one SendCommand per instance", async () => {
  test.setTimeout(240_000);
  // The fleet's previous scan (B's, above) ends first: one scan per fleet.
  let scanId = "";
  await expect
    .poll(
      async () => {
        const res = await fetch(`${a.url}/api/scans`, {
          method: "POST",
          headers: json(a.url),
          body: JSON.stringify({ targets: { kind: "all" } }),
        });
        if (res.status === 202) scanId = ((await res.json()) as { scanId: string }).scanId;
        return res.status;
      },
      { timeout: 90_000, intervals: [500] },
    )
    .toBe(202);
  const comment = `fleet-doctor scan ${scanId}`;
  const probeSends = async () => {
    const res = await fetch(`${simUrl()}/_sim/calls?op=SendCommand`);
    const { calls } = (await res.json()) as { calls: (SimCall & { params: { Comment?: string } })[] };
    return calls.filter((c) => c.params.Comment === comment);
  };

  // Kill A the moment its first probe batch reached SSM.
  await expect.poll(async () => (await probeSends()).length, { timeout: 30_000, intervals: [50] }).toBeGreaterThan(0);
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    a.child.once("exit", (_code, signal) => resolve(signal)),
  );
  expect(a.child.kill("SIGKILL")).toBe(true);
  const killedAt = Date.now();
  expect(await exited).toBe("SIGKILL");
  expect((await scanOn(b, scanId)).status).toBe("running");

  // B's sweep takes the scan over once A's lease ran out, and finishes it as the same scan.
  await expect
    .poll(async () => (await scanOn(b, scanId)).status, { timeout: 120_000, intervals: [500] })
    .not.toBe("running");
  const done = await scanOn(b, scanId);
  expect(["completed", "partial"]).toContain(done.status);
  expect(done.total).toBeGreaterThan(0);
  expect(done.done).toBe(done.total);

  // One SendCommand per instance in the simulator's log, across A and B.
  const perInstance = new Map<string, number>();
  for (const s of await probeSends())
    for (const id of s.params.InstanceIds ?? []) perInstance.set(id, (perInstance.get(id) ?? 0) + 1);
  expect([...perInstance].filter(([, n]) => n > 1)).toEqual([]);

  const stream = await fetch(`${b.url}/api/scans/${scanId}/events`);
  const events = [...(await stream.text()).matchAll(/^data: (.+)$/gm)].map(
    (m) => JSON.parse(m[1]!) as { type: string; pid?: number; at: string },
  );
  const resumed = events.filter((e) => e.type === "resumed");
  expect(resumed).toHaveLength(1);
  expect(resumed[0]!.pid).toBe(b.pid);
  expect(events.at(-1)?.type).toBe("scan-finished");
  console.log(
    `replica kill during a scan: ${perInstance.size} instances sent once each; B took the scan over ${Date.parse(resumed[0]!.at) - killedAt} ms after A's SIGKILL`,
  );

  // A comes back for the tests that follow.
  a = await startNext(replicaEnv);
});

type ActionDetail = {
  status: string;
  commands: { commandId: string; instanceIds: string[] }[];
  outcomes: { instanceId: string; outcome: string; verdictAfter?: string }[];
};
const actionOn = async (server: Server, id: string) =>
  ((await (await fetch(`${server.url}/api/actions/${id}`)).json()) as { action: ActionDetail }).action;

test("A is killed (SIGKILL) in the middle of a batch restart: B takes it over and finishes it, nothing sent twice", async () => {
  test.setTimeout(240_000);
  const hosts = (
    (await (await fetch(`${simUrl()}/_sim/hosts`)).json()) as { hosts: { instanceId: string; expect?: string }[] }
  ).hosts;
  const ids = hosts.filter((h) => h.expect === "lifecycle-404:ready").map((h) => h.instanceId);
  expect(ids.length).toBeGreaterThanOrEqual(4);
  // A fresh diagnosis of every instance restarted (the preflight refuses a stale one).
  await scanToEnd(a, ids);

  const since = ((await (await fetch(`${simUrl()}/_sim/calls?limit=0`)).json()) as { lastSeq: number }).lastSeq;
  const asked = await fetch(`${a.url}/api/actions`, {
    method: "POST",
    headers: json(a.url),
    body: JSON.stringify({ kind: "restart", instanceIds: ids }),
  });
  expect(asked.status).toBe(202);
  const answer = (await asked.json()) as { actionId: string; accepted: string[] };
  expect(answer.accepted.toSorted()).toEqual(ids.toSorted());
  const { actionId } = answer;

  // Kill A the moment its restart reached SSM: the agents are restarting, nothing is collected yet.
  await expect.poll(async () => (await restartSendsSince(since)).length, { timeout: 30_000, intervals: [50] }).toBe(1);
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    a.child.once("exit", (_code, signal) => resolve(signal)),
  );
  expect(a.child.kill("SIGKILL")).toBe(true);
  const killedAt = Date.now();
  expect(await exited).toBe("SIGKILL");
  const midway = await actionOn(b, actionId);
  expect(midway.status).toBe("running");
  expect(midway.outcomes.length).toBeLessThan(ids.length);

  // B takes the action over on its own once A's lease ran out, and finishes it.
  await expect
    .poll(async () => (await actionOn(b, actionId)).status, { timeout: 120_000, intervals: [500] })
    .not.toBe("running");
  const finishedAt = Date.now();
  const done = await actionOn(b, actionId);
  expect(done.status).toBe("completed");
  expect(done.outcomes.map((o) => o.instanceId).toSorted()).toEqual(ids.toSorted());
  for (const o of done.outcomes) expect(o).toMatchObject({ outcome: "registered", verdictAfter: "healthy" });

  // Every instance restarted exactly once: one SendCommand each in the simulator's log, the one A sent.
  const sends = await restartSendsSince(since);
  const perInstance = new Map(ids.map((id) => [id, 0]));
  for (const s of sends)
    for (const id of s.params.InstanceIds ?? []) perInstance.set(id, (perInstance.get(id) ?? 0) + 1);
  expect(Object.fromEntries(perInstance)).toEqual(Object.fromEntries(ids.map((id) => [id, 1])));
  expect(done.commands).toHaveLength(1);

  // The audit shows the takeover: B's process resumed it and began no batch after that. (When A died between its
  // SendCommand and storing the command's id, B found the command in SSM by the action's comment and recorded it:
  // then a `batch-sent` follows `resumed`, with the one command A sent.)
  const stream = await fetch(`${b.url}/api/actions/${actionId}/events`);
  expect(stream.status).toBe(200);
  const events = [...(await stream.text()).matchAll(/^data: (.+)$/gm)].map(
    (m) => JSON.parse(m[1]!) as { type: string; pid?: number; commandId?: string; at: string },
  );
  const resumed = events.filter((e) => e.type === "resumed");
  expect(resumed).toHaveLength(1);
  expect(resumed[0]!.pid).toBe(b.pid);
  const resumedAt = events.indexOf(resumed[0]!);
  expect(events.slice(resumedAt).filter((e) => e.type === "batch-sending")).toEqual([]);
  const sentIds = new Set(events.filter((e) => e.type === "batch-sent").map((e) => e.commandId));
  expect([...sentIds]).toEqual([done.commands[0]!.commandId]);
  expect(events.at(-1)).toMatchObject({ type: "action-finished", status: "completed" });
  // After A died, never while it drove the action. (No tighter bound: A's last renewal may have come late on a
  // loaded machine, so its lease may run out sooner than two thirds of a lease after the kill.)
  const tookOverAfter = Date.parse(resumed[0]!.at) - killedAt;
  expect(tookOverAfter).toBeGreaterThan(0);
  console.log(
    `replica kill: ${ids.length} instances in one SendCommand; B took the action over ${tookOverAfter} ms after A's SIGKILL and finished it ${finishedAt - killedAt} ms after`,
  );
});

type WatchStatusBody = {
  enabled: boolean;
  intervalSeconds: number;
  leader: { owner: string; expiresAt: string } | null;
  lastLook?: { at: string; seen: number; calls: number; found: { new: number } };
};
const watchOn = async (server: Server) => (await (await fetch(`${server.url}/api/watch`)).json()) as WatchStatusBody;

/** The looks in the simulator's log after `since`: a look lists SSM's whole inventory (no filter) from its first page. */
async function looksSince(since: number): Promise<number> {
  const res = await fetch(`${simUrl()}/_sim/calls?op=DescribeInstanceInformation&since=${since}`);
  const { calls } = (await res.json()) as {
    calls: { params: { Filters?: { Key?: string }[]; NextToken?: string } }[];
  };
  // A look's first page: unfiltered (a full look) or filtered on PingStatus (a quick look); probes filter on ids.
  return calls.filter(
    (c) => !c.params.NextToken && (!c.params.Filters?.length || c.params.Filters[0]?.Key === "PingStatus"),
  ).length;
}

test("two watchers, one leader: both replicas name it, the simulator sees one watcher's looks, the other takes over after a SIGKILL", async () => {
  test.setTimeout(240_000);
  const INTERVAL_S = 2;
  const watched = await freshDatabase(pgServer);
  const env = {
    ...simulatorEnv(simUrl()),
    FLEET_DOCTOR_DATABASE_URL: watched.url,
    FLEET_DOCTOR_LEASE_TTL: String(LEASE_TTL_S),
    FLEET_DOCTOR_WATCH: "on",
    FLEET_DOCTOR_WATCH_INTERVAL: String(INTERVAL_S),
    FLEET_DOCTOR_FULL_SCAN_CRON: "off",
  };
  // C first: alone, it takes the lead; then D, which finds it held.
  const c = await startNext(env);
  let d: Server | undefined;
  try {
    // Its first look probes the whole fleet (all new); the looks after it are the quick ones the window counts.
    await expect.poll(async () => (await watchOn(c)).lastLook?.seen ?? 0, { timeout: 60_000 }).toBeGreaterThan(0);
    await expect.poll(async () => (await watchOn(c)).lastLook?.found.new ?? -1, { timeout: 120_000 }).toBe(0);
    const leader = (await watchOn(c)).leader!.owner;
    d = await startNext(env);
    const onD = await watchOn(d);
    expect(onD).toMatchObject({ enabled: true, intervalSeconds: INTERVAL_S, leader: { owner: leader } });
    expect((await watchOn(c)).leader?.owner).toBe(leader);

    // Both run a watcher. Over a window, the looks the simulator saw are the leader's own (each stores its time),
    // give or take the one or two under way at the window's edges; two watchers looking would double them.
    const since = ((await (await fetch(`${simUrl()}/_sim/calls?limit=0`)).json()) as { lastSeq: number }).lastSeq;
    const windowStart = new Date().toISOString();
    const windowMs = 20_000;
    const leaderLooks = new Set<string>();
    for (const end = Date.now() + windowMs; Date.now() < end; ) {
      const at = (await watchOn(d)).lastLook?.at;
      if (at && at > windowStart) leaderLooks.add(at);
      await new Promise((r) => setTimeout(r, 250));
    }
    const looks = await looksSince(since);
    expect(leaderLooks.size).toBeGreaterThanOrEqual(3);
    expect(looks).toBeGreaterThanOrEqual(leaderLooks.size);
    expect(looks).toBeLessThanOrEqual(leaderLooks.size + 2);
    expect((await watchOn(d)).leader?.owner).toBe(leader);

    // The leader dies: D leads once C's lease has run out, and looks on its own.
    const exited = new Promise((resolve) => c.child.once("exit", resolve));
    c.child.kill("SIGKILL");
    const killedAt = Date.now();
    await exited;
    await expect
      .poll(async () => (await watchOn(d!)).leader?.owner ?? leader, { timeout: 30_000, intervals: [200] })
      .not.toBe(leader);
    const tookOver = Date.now() - killedAt;
    // The lease lives LEASE_TTL_S from C's last renewal; D contends every third of it.
    expect(tookOver).toBeLessThan(LEASE_TTL_S * 2 * 1000);
    const lookAfter = Date.now();
    await expect
      .poll(async () => Date.parse((await watchOn(d!)).lastLook?.at ?? "0"), { timeout: 30_000 })
      .toBeGreaterThan(lookAfter);
    console.log(
      `two watchers: the simulator saw ${looks} looks in ${windowMs} ms, the leader stored ${leaderLooks.size} (interval ${INTERVAL_S} s); D led ${tookOver} ms after C's SIGKILL (lease ${LEASE_TTL_S} s)`,
    );
  } finally {
    await c.stop();
    await d?.stop();
    await watched.drop();
  }
});
