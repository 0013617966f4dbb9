import { expect, test } from "@playwright/test";
import { type Server, simulatorEnv, startNext } from "../bin/servers.ts";
import { freshDatabase, type PostgresServer, postgresServer } from "../test/helpers/postgres.ts";

/*
 * Two `next start` replicas on one PostgreSQL database (FLEET_DOCTOR_DATABASE_URL), both pointed at the simulator
 * global-setup started: a scan started through A is watched live through B (its events woken on B by A's NOTIFY),
 * and B refuses a second scan of the same fleet while A's runs, naming it.
 */
test.describe.configure({ mode: "serial" });

let pgServer: PostgresServer;
let database: Awaited<ReturnType<typeof freshDatabase>>;
let a: Server;
let b: Server;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  pgServer = await postgresServer();
  database = await freshDatabase(pgServer);
  const env = { ...simulatorEnv(process.env.FLEET_DOCTOR_SIM_URL!), FLEET_DOCTOR_DATABASE_URL: database.url };
  // One after the other: both migrate under the advisory lock either way, but two builds starting at once on two
  // cores make the start slow enough to time out.
  a = await startNext(env);
  b = await startNext(env);
});

test.afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await database?.drop();
  await pgServer?.stop();
});

const json = (origin: string) => ({ origin, "content-type": "application/json" });

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
