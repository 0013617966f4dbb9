/**
 * POST/GET /api/actions against the simulator (FLEET_DOCTOR_AUTH=none): every bad request is a 4xx and the
 * simulator's call log proves nothing was sent; a good one restarts and the events stream to the end.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { restartSends, simCalls, simEnv, startSim } from "@/test/helpers/sim.ts";

const dir = mkdtempSync(path.join(tmpdir(), "fd-actions-api-"));
process.env.FLEET_DOCTOR_DB = path.join(dir, "api.db");
process.env.FLEET_DOCTOR_AUTH = "none";
process.env.FLEET_DOCTOR_RESTART_WAIT = "20";

const BASE = "http://127.0.0.1:3999";
const READY = "i-0a000000000000003";
const BLOCKED = "i-0a000000000000002";

let sim: Awaited<ReturnType<typeof startSim>>;
let routes: {
  actions: typeof import("./route.ts");
  action: typeof import("./[id]/route.ts");
  events: typeof import("./[id]/events/route.ts");
  preflight: typeof import("./preflight/route.ts");
};

beforeAll(async () => {
  sim = await startSim("small");
  Object.assign(process.env, simEnv(sim.url));
  routes = {
    actions: await import("./route.ts"),
    action: await import("./[id]/route.ts"),
    events: await import("./[id]/events/route.ts"),
    preflight: await import("./preflight/route.ts"),
  };
  const { runScan } = await import("@/lib/scan/run-scan.ts");
  const { defaultActionContext } = await import("@/lib/actions/context.ts");
  const ctx = defaultActionContext();
  for await (const _ of runScan(
    { kind: "all" },
    { ...ctx, tuning: { firstPollMs: 200, minPollMs: 200, maxPollMs: 500 } },
  )) {
    // stored
  }
}, 120_000);

afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = (body: unknown, headers: Record<string, string> = { origin: BASE, "content-type": "application/json" }) =>
  routes.actions.POST(
    new Request(`${BASE}/api/actions`, {
      method: "POST",
      headers: { host: "127.0.0.1:3999", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
  );

async function errorOf(res: Response) {
  const body = (await res.json()) as { error: { code: string; message: string; details?: Record<string, unknown> } };
  return { status: res.status, ...body.error };
}

describe("POST /api/actions refuses bad requests and sends nothing", () => {
  it.each([
    ["an invalid id", { kind: "restart", instanceIds: ["i-0a00000000000000Z; reboot"] }, 400, "instanceIds[0]"],
    [
      "too many ids",
      { kind: "restart", instanceIds: Array.from({ length: 51 }, (_, n) => `i-${n.toString(16).padStart(17, "0")}`) },
      400,
      "instanceIds",
    ],
    ["no ids", { kind: "restart", instanceIds: [] }, 400, "instanceIds"],
    ["a wrong kind", { kind: "reboot", instanceIds: [READY] }, 400, "kind"],
    ["ids not a list", { kind: "restart", instanceIds: READY }, 400, "instanceIds"],
    ["force not a boolean", { kind: "restart", instanceIds: [READY], force: "true" }, 400, "force"],
    ["an unknown field", { kind: "restart", instanceIds: [READY], commands: ["id"] }, 400, "body"],
    ["force without a reason", { kind: "restart", instanceIds: [BLOCKED], force: true }, 400, "reason"],
  ])("%s is refused", async (_name, body, status, field) => {
    const before = (await simCalls(sim.url, "SendCommand")).length;
    const e = await errorOf(await post(body));
    expect(e.status).toBe(status);
    expect(e.code).toBe("BAD_REQUEST");
    expect(String(e.details?.field)).toContain(field);
    expect((await simCalls(sim.url, "SendCommand")).length).toBe(before);
  });

  it("a body that is not JSON -> 400", async () => {
    expect((await post("{nope")).status).toBe(400);
    expect(
      (await post({ kind: "restart", instanceIds: [READY] }, { origin: BASE, "content-type": "text/plain" })).status,
    ).toBe(400);
  });

  it.each([
    ["a missing Origin", {}],
    ["a foreign Origin", { origin: "http://evil.example" }],
    ["a cross-site fetch", { origin: BASE, "sec-fetch-site": "cross-site" }],
  ])("%s -> 403", async (_name, headers) => {
    const e = await errorOf(
      await post({ kind: "restart", instanceIds: [READY] }, { "content-type": "application/json", ...headers }),
    );
    expect(e.status).toBe(403);
    expect(await restartSends(sim.url)).toHaveLength(0);
  });

  it("a preflight refusal -> 422 with the reason, recorded, nothing sent", async () => {
    const e = await errorOf(await post({ kind: "restart", instanceIds: [BLOCKED] }));
    expect(e.status).toBe(422);
    expect(e.message).toContain("lifecycle-404:blocked");
    const id = String(e.details?.actionId);
    const res = await routes.action.GET(new Request(`${BASE}/api/actions/${id}`), { params: Promise.resolve({ id }) });
    expect(((await res.json()) as { action: { targets: { decision: string }[] } }).action.targets[0]!.decision).toBe(
      "refused",
    );
    expect(await restartSends(sim.url)).toHaveLength(0);
  });

  it("stores a reason with control characters as plain text: no NUL, newline, escape or bidi override", async () => {
    const reason = "incident\u0000 42\nforged: line\r\u001b[31m red\u202e txet\u0085";
    const e = await errorOf(await post({ kind: "restart", instanceIds: [BLOCKED], reason }));
    expect(e.status).toBe(422);
    const id = String(e.details?.actionId);
    const res = await routes.action.GET(new Request(`${BASE}/api/actions/${id}`), { params: Promise.resolve({ id }) });
    const stored = ((await res.json()) as { action: { reason: string } }).action.reason;
    expect(stored).toBe("incident 42 forged: line [31m red txet");
    expect(await restartSends(sim.url)).toHaveLength(0);
  });
});

describe("GET /api/actions/preflight", () => {
  it("says which instances pass and why the others do not", async () => {
    const res = await routes.preflight.GET(
      new Request(`${BASE}/api/actions/preflight?kind=restart&ids=${READY},${BLOCKED}`),
    );
    const body = (await res.json()) as { checks: { instanceId: string; ok: boolean; reason?: string }[] };
    expect(body.checks.map((c) => c.ok)).toEqual([true, false]);
    expect(body.checks[1]!.reason).toMatch(/blocked/);
    expect((await routes.preflight.GET(new Request(`${BASE}/api/actions/preflight?ids=nope`))).status).toBe(400);
  });
});

describe("a restart through the API", () => {
  it("two requests at once (double click, two tabs) make one command; the stream ends with the outcome", async () => {
    const [a, b] = await Promise.all([
      post({ kind: "restart", instanceIds: [READY] }),
      post({ kind: "restart", instanceIds: [READY] }),
    ]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([200, 202]);
    const bodies = (await Promise.all([a.json(), b.json()])) as { actionId: string; created: boolean }[];
    expect(bodies[0]!.actionId).toBe(bodies[1]!.actionId);
    const id = bodies[0]!.actionId;

    const res = await routes.events.GET(new Request(`${BASE}/api/actions/${id}/events`), {
      params: Promise.resolve({ id }),
    });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const text = await res.text();
    expect(text).toContain("event: batch-sent");
    expect(text).toContain("event: action-finished");
    expect(text).toMatch(/"outcome":"registered"/);

    expect(await restartSends(sim.url, READY)).toHaveLength(1);
    const list = (await (await routes.actions.GET(new Request(`${BASE}/api/actions`))).json()) as {
      actions: { id: string; status: string }[];
    };
    expect(list.actions.find((x) => x.id === id)?.status).toBe("completed");
    const missing = await routes.action.GET(new Request(`${BASE}/api/actions/x`), {
      params: Promise.resolve({ id: "x" }),
    });
    expect(missing.status).toBe(400);
  }, 90_000);
});
