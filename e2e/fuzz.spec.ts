/**
 * A seeded fuzz of bad requests at every route of the README's JSON API table and every page, sent to a production
 * server of its own (with its own simulator and database). Holds: no 5xx, every /api error is the JSON envelope,
 * every request is answered, no SendCommand reaches the simulator, and the stored scans, actions and instances are
 * the same afterwards. The seed is printed; FLEET_DOCTOR_FUZZ_SEED replays a run, FLEET_DOCTOR_FUZZ_COUNT sizes it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Server, simulatorEnv, startNext, startSimProcess } from "../bin/servers.ts";
import { rng as seededRng } from "../sim/fleet/random.ts";
import { expect, test } from "./fixtures.ts";

test.describe.configure({ mode: "serial" });

const SEED = Number(process.env.FLEET_DOCTOR_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const COUNT = Number(process.env.FLEET_DOCTOR_FUZZ_COUNT ?? 300);

/** The simulator's seedable PRNG (mulberry32), so a failing run can be replayed exactly. */
function prng(seed: number) {
  const r = seededRng(seed);
  return {
    int: (n: number) => Math.floor(r.next() * n),
    pick: r.pick,
    chance: (p: number) => r.next() < p,
  };
}
type Rng = ReturnType<typeof prng>;

// Ids that are malformed in every way the attacks used, and well-formed ids that exist nowhere.
const BAD_IDS = [
  "%E0%A4%A",
  "%ff%fe",
  "%ED%A0%80",
  "%",
  "%zz",
  "%00",
  "%2e%2e",
  "..%2f..%2fetc%2fpasswd",
  "%252e",
  "i-0123",
  "I-0123456789ABCDEF0",
  "i-0123456789abcdef0%20",
  "mi-123",
  "not-a-uuid",
  "1%20OR%201%3D1",
  "%3Cscript%3E",
  "%F0%9F%92%A9",
  "a".repeat(3000),
  "00000000-0000-0000-0000-00000000000g",
];
const UNKNOWN_IDS = [
  "i-0000000000000dead",
  "i-0badc0de",
  "mi-0123456789abcdef0",
  "3f1f6a0e-0000-4000-8000-000000000000",
];
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "PROPFIND"];
const ROUTES = [
  "/api/scans",
  "/api/scans/:id",
  "/api/scans/:id/events",
  "/api/instances",
  "/api/instances/:id",
  "/api/instances/:id/view",
  "/api/instances/table",
  "/api/actions",
  "/api/actions/:id",
  "/api/actions/:id/events",
  "/api/actions/preflight",
  "/api/actions/script",
  "/api/me",
  "/api/watch",
  "/api",
  "/api/nope",
  "/api/scans/:id/nope",
  "/",
  "/instances",
  "/instances/:id",
  "/scans",
  "/scans/:id",
  "/activity",
  "/activity/:id",
  "/watch",
];
const QUERY_KEYS = [
  "limit",
  "offset",
  "before",
  "verdict",
  "group",
  "version",
  "q",
  "kind",
  "ids",
  "instanceId",
  "after",
];
const QUERY_VALUES = [
  "-1",
  "0",
  "abc",
  "1e9",
  "99999999999999999999",
  "%E0%A4%A",
  "restart",
  "lifecycle-404:ready,x",
  "",
  "'; DROP TABLE scans;--",
  "x".repeat(500),
  "i-0000000000000dead,%2C,,",
];

/** Bodies that can never pass validation: a scan or an action is never started or recorded by the fuzz. */
function badBody(rng: Rng): { data: string; type?: string } {
  const kinds = [
    () => ({ data: "{" }),
    () => ({ data: "null" }),
    () => ({ data: "[]" }),
    () => ({ data: '"restart"' }),
    () => ({ data: JSON.stringify({ targets: { kind: rng.pick(["nope", "ids", "tag"]), ids: [rng.pick(BAD_IDS)] } }) }),
    () => ({ data: JSON.stringify({ targets: { kind: "all" }, extra: 1 }) }),
    () => ({ data: JSON.stringify({ kind: "restart", instanceIds: [rng.pick(BAD_IDS)] }) }),
    () => ({ data: JSON.stringify({ kind: "reboot", instanceIds: [rng.pick(UNKNOWN_IDS)] }) }),
    () => ({ data: JSON.stringify({ kind: "restart", instanceIds: [], reason: "\u0000\n" }) }),
    () => ({ data: JSON.stringify({ kind: "restart", instanceIds: Array(51).fill(UNKNOWN_IDS[0]) }) }),
    () => ({ data: JSON.stringify({ __proto__: { admin: true }, constructor: { prototype: {} } }) }),
    () => ({ data: `{"kind":"restart","instanceIds":["${"i-0".repeat(2000)}"]}` }),
    () => ({ data: "x".repeat(1_100_000) }),
    () => ({ data: JSON.stringify({ targets: { kind: "all" } }), type: "text/plain" }),
    () => ({ data: "a=1&b=2", type: "application/x-www-form-urlencoded" }),
  ];
  return rng.pick(kinds)();
}

type Fuzzed = { method: string; url: string; headers: Record<string, string>; body?: string };

function generate(rng: Rng, base: string): Fuzzed {
  const route = rng.pick(ROUTES);
  const id = rng.chance(0.8) ? rng.pick(BAD_IDS) : rng.pick(UNKNOWN_IDS);
  let url = route.replace(":id", id);
  if (rng.chance(0.5)) {
    const n = 1 + rng.int(3);
    const parts = Array.from({ length: n }, () => `${rng.pick(QUERY_KEYS)}=${rng.pick(QUERY_VALUES)}`);
    url += `?${parts.join("&")}`;
  }
  const method = rng.chance(0.5) ? "GET" : rng.pick(METHODS);
  const headers: Record<string, string> = {};
  if (rng.chance(0.6)) headers.origin = rng.pick([base, "https://evil.example", "null"]);
  if (rng.chance(0.2)) headers["last-event-id"] = rng.pick(["-1", "abc", "1e3", "99999999999999"]);
  if (rng.chance(0.1)) headers["next-action"] = rng.pick(["0", "abc", "x".repeat(100)]);
  let body: string | undefined;
  if (method !== "GET" && method !== "HEAD" && rng.chance(0.8)) {
    const b = badBody(rng);
    body = b.data;
    headers["content-type"] = b.type ?? rng.pick(["application/json", "application/json; charset=utf-8"]);
  }
  return { method, url, headers, ...(body !== undefined ? { body } : {}) };
}

/** A request the HTTP clients will not send (TRACE, a lying Content-Length), written to a socket. */
async function raw(base: string, text: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  const socket = net.connect(Number(port), hostname);
  socket.write(text);
  let data = "";
  socket.on("data", (c) => {
    data += c;
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to ${text.split("\r\n")[0]}`)), 15_000);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
  const [head = "", ...rest] = data.split("\r\n\r\n");
  return { status: Number(head.split(" ")[1]), body: rest.join("\r\n\r\n") };
}

let sim: Server;
let app: Server;
let dir: string;

test.beforeAll(async ({ request }) => {
  test.setTimeout(180_000);
  dir = mkdtempSync(path.join(tmpdir(), "fd-e2e-fuzz-"));
  sim = await startSimProcess("small");
  app = await startNext({
    FLEET_DOCTOR_DB: path.join(dir, "fuzz.db"),
    FLEET_DOCTOR_WATCH: "off",
    ...simulatorEnv(sim.url),
  });
  // Something stored to protect: one finished scan.
  const res = await request.post(`${app.url}/api/scans`, {
    data: { targets: { kind: "all" } },
    headers: { origin: app.url },
  });
  expect(res.status()).toBe(202);
  const { scanId } = (await res.json()) as { scanId: string };
  await expect
    .poll(
      async () =>
        ((await (await request.get(`${app.url}/api/scans/${scanId}`)).json()) as { scan: { status: string } }).scan
          .status,
      { timeout: 120_000 },
    )
    .toBe("completed");
});

test.afterAll(async () => {
  await app?.stop();
  await sim?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test(`${COUNT} seeded bad requests: no 5xx, the envelope on /api, nothing sent, nothing stored changed`, async ({
  request,
}) => {
  test.setTimeout(300_000);
  console.log(`fuzz seed ${SEED} (replay: FLEET_DOCTOR_FUZZ_SEED=${SEED}), ${COUNT} requests`);
  const snapshot = async () =>
    Promise.all(
      ["/api/scans", "/api/actions", "/api/instances?limit=1000"].map(async (u) =>
        (await request.get(app.url + u)).text(),
      ),
    );
  const sends = async () =>
    ((await (await request.get(`${sim.url}/_sim/calls?op=SendCommand`)).json()) as { calls: unknown[] }).calls.length;
  const before = await snapshot();
  const sentBefore = await sends();

  const rng = prng(SEED);
  const failures: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    const f = generate(rng, app.url);
    const res = await request.fetch(app.url + f.url, {
      method: f.method,
      headers: f.headers,
      ...(f.body !== undefined ? { data: f.body } : {}),
      maxRedirects: 0,
      timeout: 15_000,
      failOnStatusCode: false,
    });
    const status = res.status();
    const what = `#${i} ${f.method} ${f.url.slice(0, 120)} -> ${status}`;
    if (status >= 500) failures.push(`${what}: 5xx`);
    if (f.url.startsWith("/api") && status >= 400 && f.method !== "HEAD") {
      const type = res.headers()["content-type"] ?? "";
      const body = (await res.json().catch(() => undefined)) as
        | { error?: { code?: unknown; message?: unknown } }
        | undefined;
      if (!type.startsWith("application/json") || typeof body?.error?.code !== "string" || !body.error.message)
        failures.push(`${what}: not the envelope (${type})`);
    }
  }

  // What the HTTP client cannot send: TRACE everywhere, a body larger than declared limits, a body that never comes.
  const host = new URL(app.url).host;
  for (const route of ["/api/scans", "/api/scans/%E0%A4%A", "/instances", "/"]) {
    const r = await raw(app.url, `TRACE ${route} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    if (r.status !== 405 || !r.body.includes('"METHOD_NOT_ALLOWED"')) failures.push(`TRACE ${route} -> ${r.status}`);
  }
  const lying = await raw(
    app.url,
    `POST /api/scans HTTP/1.1\r\nHost: ${host}\r\nOrigin: ${app.url}\r\nContent-Type: application/json\r\nContent-Length: 2000000\r\n\r\n{}`,
  );
  if (lying.status !== 413) failures.push(`Content-Length 2000000 with {} -> ${lying.status}`);
  const slow = await raw(
    app.url,
    `POST /api/actions HTTP/1.1\r\nHost: ${host}\r\nOrigin: ${app.url}\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{}`,
  );
  if (slow.status !== 408 || !slow.body.includes('"REQUEST_TIMEOUT"')) failures.push(`slow body -> ${slow.status}`);

  expect(failures, `seed ${SEED}`).toEqual([]);
  expect(await sends(), "no SendCommand from a bad request").toBe(sentBefore);
  expect(await snapshot(), "stored scans, actions and instances unchanged").toEqual(before);
});

test("not-found pages answer a real 404 with their own message; a known instance's page a 200", async ({ request }) => {
  for (const [page, text] of [
    ["/instances/i-0000000000000dead", "Instance not found"],
    ["/instances/not-an-id", "Instance not found"],
    ["/scans/00000000-0000-4000-8000-000000000000", "Scan not found"],
    ["/scans/abc", "Scan not found"],
    ["/activity/00000000-0000-4000-8000-000000000000", "not found"],
    ["/no-such-page", "Page not found"],
  ] as const) {
    const res = await request.get(`${app.url}${page}`);
    expect(res.status(), page).toBe(404);
    expect(await res.text(), page).toContain(text);
  }
  const { items } = (await (await request.get(`${app.url}/api/instances?limit=1`)).json()) as {
    items: { instanceId: string }[];
  };
  expect((await request.get(`${app.url}/instances/${items[0]!.instanceId}`)).status()).toBe(200);
  expect((await request.get(`${app.url}/scans`)).status()).toBe(200);
});
