/**
 * The autopilot routes with FLEET_DOCTOR_AUTH=alb (a real local key server signs the tokens) over a scanned simulator
 * fleet: viewers read, operators change; every bad body is a 4xx naming its field; every change is logged.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AutopilotStatusAnswer } from "@/lib/autopilot/status.ts";
import { albToken, makeKey, startKeyServer, type TestKey } from "@/test/helpers/alb-keys.ts";
import { simEnv, startSim } from "@/test/helpers/sim.ts";

const ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/fleet-doctor/50dc6c495c0c9188";
const BASE = "http://127.0.0.1:3998";
const OPS = "ops@example.com";
const VIEWER = "viewer@example.com";
const dir = mkdtempSync(path.join(tmpdir(), "fd-autopilot-api-"));

let key: TestKey;
let keys: Awaited<ReturnType<typeof startKeyServer>>;
let sim: Awaited<ReturnType<typeof startSim>>;
let routes: {
  status: typeof import("./route.ts");
  policies: typeof import("./policies/route.ts");
  killSwitch: typeof import("./kill-switch/route.ts");
  reset: typeof import("./breakers/reset/route.ts");
};

beforeAll(async () => {
  key = await makeKey("autopilot-api-key");
  keys = await startKeyServer([key]);
  sim = await startSim("small");
  // config() is read once per process: the environment is set before the first module that reads it loads.
  Object.assign(process.env, simEnv(sim.url), {
    FLEET_DOCTOR_DB: path.join(dir, "api.db"),
    FLEET_DOCTOR_AUTH: "alb",
    FLEET_DOCTOR_ALB_ARN: ARN,
    FLEET_DOCTOR_ALB_KEY_URL: keys.url,
    FLEET_DOCTOR_OPERATORS: OPS,
    FLEET_DOCTOR_VIEWERS: VIEWER,
  });
  routes = {
    status: await import("./route.ts"),
    policies: await import("./policies/route.ts"),
    killSwitch: await import("./kill-switch/route.ts"),
    reset: await import("./breakers/reset/route.ts"),
  };
  const { runScan } = await import("@/lib/scan/run-scan.ts");
  const { defaultActionContext } = await import("@/lib/actions/context.ts");
  for await (const _ of runScan(
    { kind: "all" },
    { ...defaultActionContext(), tuning: { firstPollMs: 200, minPollMs: 200, maxPollMs: 500 } },
  )) {
    // stored
  }
}, 120_000);

afterAll(async () => {
  await sim?.close();
  await keys?.close();
  rmSync(dir, { recursive: true, force: true });
});

const auth = (email: string) => ({ "x-amzn-oidc-data": albToken({ key, signer: ARN, claims: { sub: email, email } }) });

function send(
  route: (r: Request) => Promise<Response>,
  method: string,
  url: string,
  body: unknown,
  headers: Record<string, string>,
) {
  return route(
    new Request(`${BASE}${url}`, {
      method,
      headers: { host: "127.0.0.1:3998", origin: BASE, "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    }),
  );
}
const putPolicy = (body: unknown, who = OPS, extra: Record<string, string> = {}) =>
  send(routes.policies.PUT, "PUT", "/api/autopilot/policies", body, { ...auth(who), ...extra });
const postSwitch = (body: unknown, who = OPS) =>
  send(routes.killSwitch.POST, "POST", "/api/autopilot/kill-switch", body, auth(who));
const postReset = (body: unknown, who = OPS) =>
  send(routes.reset.POST, "POST", "/api/autopilot/breakers/reset", body, auth(who));
async function status(who = VIEWER): Promise<AutopilotStatusAnswer> {
  const res = await routes.status.GET(
    new Request(`${BASE}/api/autopilot`, { headers: { host: "127.0.0.1:3998", ...auth(who) } }),
  );
  expect(res.status).toBe(200);
  return (await res.json()) as AutopilotStatusAnswer;
}
async function errorOf(res: Response) {
  const body = (await res.json()) as { error: { code: string; message: string; details?: { field?: string } } };
  return { status: res.status, code: body.error.code, field: body.error.details?.field, message: body.error.message };
}

describe("GET /api/autopilot", () => {
  it("shows a viewer the status: off by default, the groups the results know", async () => {
    const s = await status();
    expect(s.killSwitch).toEqual({ engaged: false });
    expect(s.policies).toEqual([]);
    expect(s.breakers).toEqual([]);
    expect(s.groups).toEqual(["batch", "web"]);
    expect(s.fleet).toMatch(/\/us-east-1$/);
  });

  it("refuses anyone without a token (401)", async () => {
    const res = await routes.status.GET(new Request(`${BASE}/api/autopilot`, { headers: { host: "127.0.0.1:3998" } }));
    expect(res.status).toBe(401);
  });
});

describe("PUT /api/autopilot/policies", () => {
  it("sets a group's policy as the operator, its author, and logs who, before and after", async () => {
    const body = {
      group: "web",
      mode: "restart",
      dryRun: false,
      maxRestartsPerHour: 4,
      breakerFailures: 3,
      breakerWindowMinutes: 15,
    };
    const res = await putPolicy(body);
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { policy: { author: string }; before: unknown };
    expect(answer).toMatchObject({ policy: { ...body, author: OPS }, before: null });
    const res2 = await putPolicy({ group: null, mode: "notify" });
    expect(((await res2.json()) as { policy: unknown }).policy).toMatchObject({
      group: null,
      mode: "notify",
      maxRestartsPerHour: 20,
      dryRun: false,
    });
    const s = await status();
    expect(s.policies.map((p) => [p.group, p.mode, p.author])).toEqual([
      [null, "notify", OPS],
      ["web", "restart", OPS],
    ]);
    expect(s.recent[1]).toMatchObject({ kind: "policy-changed", group: "web", actor: OPS });
    expect(s.recent[1]!.change).toMatchObject({ before: null, after: { mode: "restart" } });
  });

  it("refuses a viewer (403) and a mutation without our Origin (403), changing nothing", async () => {
    expect((await errorOf(await putPolicy({ group: "web", mode: "off" }, VIEWER))).status).toBe(403);
    expect(
      (await errorOf(await putPolicy({ group: "web", mode: "off" }, OPS, { origin: "https://evil.example" }))).status,
    ).toBe(403);
    expect((await status()).policies.find((p) => p.group === "web")?.mode).toBe("restart");
  });

  it.each([
    ["an unknown field", { group: "web", mode: "restart", restartEverything: true }, "restartEverything"],
    ["a wrong mode", { group: "web", mode: "reboot" }, "mode"],
    ["no group", { mode: "notify" }, "group"],
    ["an empty group", { group: "", mode: "notify" }, "group"],
    ["dryRun not a boolean", { group: "web", mode: "restart", dryRun: "yes" }, "dryRun"],
    ["a rate of 0", { group: "web", mode: "restart", maxRestartsPerHour: 0 }, "maxRestartsPerHour"],
    ["a fractional breaker", { group: "web", mode: "restart", breakerFailures: 1.5 }, "breakerFailures"],
    ["a window of a week", { group: "web", mode: "restart", breakerWindowMinutes: 10_080 }, "breakerWindowMinutes"],
  ])("%s -> 400 naming the field", async (_name, body, field) => {
    const e = await errorOf(await putPolicy(body));
    expect(e).toMatchObject({ status: 400, code: "BAD_REQUEST", field });
  });
});

describe("POST /api/autopilot/kill-switch", () => {
  it("engages and releases the page's switch (operator), logged; a viewer is refused", async () => {
    expect((await errorOf(await postSwitch({ engaged: true }, VIEWER))).status).toBe(403);
    const res = await postSwitch({ engaged: true });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { killSwitch: unknown }).killSwitch).toMatchObject({
      engaged: true,
      source: "page",
      by: OPS,
    });
    expect((await status()).killSwitch).toMatchObject({ engaged: true, source: "page" });
    await postSwitch({ engaged: false });
    const s = await status();
    expect(s.killSwitch.engaged).toBe(false);
    expect(s.recent.slice(0, 2).map((e) => [e.kind, e.actor])).toEqual([
      ["kill-switch", OPS],
      ["kill-switch", OPS],
    ]);
  });

  it.each([
    [{ engaged: "yes" }, "engaged"],
    [{}, "engaged"],
    [{ engaged: true, forever: true }, "forever"],
  ])("%j -> 400 naming %s", async (body, field) => {
    expect(await errorOf(await postSwitch(body))).toMatchObject({ status: 400, field });
  });
});

describe("POST /api/autopilot/breakers/reset", () => {
  it("resets a tripped breaker (operator), 404 when none is tripped, 403 for a viewer", async () => {
    const { getStore } = await import("@/lib/store/index.ts");
    const { fleet } = await status();
    const at = new Date().toISOString();
    await getStore().autopilot.tripBreaker(
      { fleet, group: "web", trippedAt: at, failures: 3 },
      { at, fleet, group: "web", kind: "breaker-tripped", detail: "3 in 15 min", actor: "autopilot" },
    );
    expect((await status()).breakers).toMatchObject([{ group: "web", failures: 3 }]);
    expect((await errorOf(await postReset({ group: "web" }, VIEWER))).status).toBe(403);
    const res = await postReset({ group: "web" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ group: "web", reset: true });
    const s = await status();
    expect(s.breakers).toEqual([]);
    expect(s.recent[0]).toMatchObject({ kind: "breaker-reset", group: "web", actor: OPS });
    expect(await errorOf(await postReset({ group: "web" }))).toMatchObject({ status: 404, field: "group" });
  });

  it.each([
    [{}, "group"],
    [{ group: 7 }, "group"],
    [{ group: "web", all: true }, "all"],
  ])("%j -> 400 naming %s", async (body, field) => {
    expect(await errorOf(await postReset(body))).toMatchObject({ status: 400, field });
  });
});
