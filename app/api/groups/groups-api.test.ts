/**
 * The group routes with FLEET_DOCTOR_AUTH=alb (a real local key server signs the tokens) over the simulator: every
 * group listed with its exposure, viewers read, only operators write, every write needs its own confirmation, and
 * bad input is a 4xx naming its field, all before any write reaches AWS.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GroupExposure } from "@/lib/exposure/types.ts";
import { albToken, makeKey, startKeyServer, type TestKey } from "@/test/helpers/alb-keys.ts";
import { simCalls, simEnv, startSim } from "@/test/helpers/sim.ts";

const ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/fleet-doctor/50dc6c495c0c9188";
const BASE = "http://127.0.0.1:3997";
const OPS = "ops@example.com";
const VIEWER = "viewer@example.com";
const dir = mkdtempSync(path.join(tmpdir(), "fd-groups-api-"));

let key: TestKey;
let keys: Awaited<ReturnType<typeof startKeyServer>>;
let sim: Awaited<ReturnType<typeof startSim>>;
let routes: {
  list: typeof import("./route.ts");
  one: typeof import("./[name]/route.ts");
  template: typeof import("./[name]/fix/template/route.ts");
  point: typeof import("./[name]/fix/point/route.ts");
  refresh: typeof import("./[name]/fix/refresh/route.ts");
};

beforeAll(async () => {
  key = await makeKey("groups-api-key");
  keys = await startKeyServer([key]);
  sim = await startSim("scale-out");
  Object.assign(process.env, simEnv(sim.url), {
    FLEET_DOCTOR_DB: path.join(dir, "api.db"),
    FLEET_DOCTOR_AUTH: "alb",
    FLEET_DOCTOR_ALB_ARN: ARN,
    FLEET_DOCTOR_ALB_KEY_URL: keys.url,
    FLEET_DOCTOR_OPERATORS: OPS,
    FLEET_DOCTOR_VIEWERS: VIEWER,
  });
  routes = {
    list: await import("./route.ts"),
    one: await import("./[name]/route.ts"),
    template: await import("./[name]/fix/template/route.ts"),
    point: await import("./[name]/fix/point/route.ts"),
    refresh: await import("./[name]/fix/refresh/route.ts"),
  };
}, 120_000);

afterAll(async () => {
  await sim?.close();
  await keys?.close();
  rmSync(dir, { recursive: true, force: true });
});

const auth = (email: string) => ({ "x-amzn-oidc-data": albToken({ key, signer: ARN, claims: { sub: email, email } }) });
const params = (name: string) => ({ params: Promise.resolve({ name }) });

function get(url: string, who = VIEWER) {
  return new Request(`${BASE}${url}`, { headers: { host: "127.0.0.1:3997", ...auth(who) } });
}
function post(url: string, body: unknown, who = OPS) {
  return new Request(`${BASE}${url}`, {
    method: "POST",
    headers: { host: "127.0.0.1:3997", origin: BASE, "content-type": "application/json", ...auth(who) },
    body: JSON.stringify(body),
  });
}
async function errorOf(res: Response) {
  const body = (await res.json()) as { error: { code: string; message: string; details?: { field?: string } } };
  return { status: res.status, code: body.error.code, field: body.error.details?.field, message: body.error.message };
}
const writes = async () =>
  (await simCalls(sim.url)).filter((c) =>
    ["CreateLaunchTemplateVersion", "UpdateAutoScalingGroup", "StartInstanceRefresh"].includes(c.op),
  );

describe("GET /api/groups", () => {
  it("lists every group of the fleet in view with an exposure and evidence", async () => {
    const res = await routes.list.GET(get("/api/groups"));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { fleet: string; groups: GroupExposure[] };
    expect(body.fleet).toMatch(/\/us-east-1$/);
    expect(body.groups.map((g) => [g.group, g.exposure])).toEqual([
      ["api", "safe"],
      ["batch", "exposed"],
      ["web", "exposed"],
    ]);
    for (const g of body.groups) {
      expect(["exposed", "safe", "unknown"]).toContain(g.exposure);
      expect(g.evidence.length).toBeGreaterThan(0);
      expect(g.fleet).toBe(body.fleet);
    }
  });

  it("names a malformed fleet (400) and an unknown one (404)", async () => {
    expect(await errorOf(await routes.list.GET(get("/api/groups?fleet=nope")))).toMatchObject({
      status: 400,
      field: "fleet",
    });
    expect(await errorOf(await routes.list.GET(get("/api/groups?fleet=999999999999/eu-west-1")))).toMatchObject({
      status: 404,
      field: "fleet",
    });
  });

  it("refuses anyone without a token (401)", async () => {
    const res = await routes.list.GET(new Request(`${BASE}/api/groups`, { headers: { host: "127.0.0.1:3997" } }));
    expect(res.status).toBe(401);
  });
});

describe("GET /api/groups/:name", () => {
  it("answers a group's detail and 404 for a group that does not exist", async () => {
    const res = await routes.one.GET(get("/api/groups/web"), params("web"));
    expect(res.status).toBe(200);
    const d = (await res.json()) as { exposure: GroupExposure; fix: { reason?: string }; audit: unknown[] };
    expect(d.exposure.group).toBe("web");
    expect(d.audit).toEqual([]);
    const missing = await routes.one.GET(get("/api/groups/no-such-group"), params("no-such-group"));
    expect(await errorOf(missing)).toMatchObject({ status: 404, code: "NOT_FOUND" });
  });

  it("refuses a name with control characters (400 naming it)", async () => {
    const res = await routes.one.GET(get("/api/groups/a%0Ab"), params("a%0Ab"));
    expect(await errorOf(res)).toMatchObject({ status: 400, field: "name" });
  });
});

describe("POST /api/groups/:name/fix/*", () => {
  const steps = [
    ["template", () => routes.template.POST, {}],
    ["point", () => routes.point.POST, { version: 2 }],
    ["refresh", () => routes.refresh.POST, {}],
  ] as const;

  it.each(steps)("%s: a viewer is refused (403), nothing is written", async (step, route, body) => {
    const res = await route()(post(`/api/groups/web/fix/${step}`, { ...body, confirm: true }, VIEWER), params("web"));
    expect(res.status).toBe(403);
    expect(await writes()).toEqual([]);
  });

  it.each(steps)("%s: without confirm or a token, 400 naming confirm", async (step, route, body) => {
    const res = await route()(post(`/api/groups/web/fix/${step}`, body), params("web"));
    expect(await errorOf(res)).toMatchObject({ status: 400, field: "confirm" });
    expect(await writes()).toEqual([]);
  });

  it.each(steps)("%s: confirm must be true and a token well formed", async (step, route, body) => {
    expect(
      await errorOf(await route()(post(`/api/groups/web/fix/${step}`, { ...body, confirm: "yes" }), params("web"))),
    ).toMatchObject({ status: 400, field: "confirm" });
    expect(
      await errorOf(await route()(post(`/api/groups/web/fix/${step}`, { ...body, token: "x" }), params("web"))),
    ).toMatchObject({ status: 400, field: "token" });
    expect(
      await errorOf(
        await route()(post(`/api/groups/web/fix/${step}`, { ...body, confirm: true, extra: 1 }), params("web")),
      ),
    ).toMatchObject({ status: 400 });
  });

  it("point: the version is required and an integer", async () => {
    for (const version of [undefined, 0, 1.5, "2"]) {
      const res = await routes.point.POST(post("/api/groups/web/fix/point", { version, confirm: true }), params("web"));
      expect(await errorOf(res)).toMatchObject({ status: 400, field: "version" });
    }
  });

  it("refuses a cross-origin write (403) and a body that is not JSON (400)", async () => {
    const cross = new Request(`${BASE}/api/groups/web/fix/template`, {
      method: "POST",
      headers: {
        host: "127.0.0.1:3997",
        origin: "https://evil.example",
        "content-type": "application/json",
        ...auth(OPS),
      },
      body: "{}",
    });
    expect((await routes.template.POST(cross, params("web"))).status).toBe(403);
    const text = new Request(`${BASE}/api/groups/web/fix/template`, {
      method: "POST",
      headers: { host: "127.0.0.1:3997", origin: BASE, "content-type": "text/plain", ...auth(OPS) },
      body: "confirm",
    });
    expect(await errorOf(await routes.template.POST(text, params("web")))).toMatchObject({
      status: 400,
      field: "content-type",
    });
  });

  it("a safe group has nothing to fix (422), an exposed one is not refreshed (409); neither writes", async () => {
    const res = await routes.template.POST(post("/api/groups/api/fix/template", { confirm: true }), params("api"));
    expect(await errorOf(res)).toMatchObject({ status: 422, code: "UNPROCESSABLE" });
    const refresh = await routes.refresh.POST(post("/api/groups/web/fix/refresh", { confirm: true }), params("web"));
    expect(await errorOf(refresh)).toMatchObject({ status: 409, code: "CONFLICT" });
    const stale = await routes.template.POST(
      post("/api/groups/web/fix/template", { token: "f".repeat(32) }),
      params("web"),
    );
    expect(await errorOf(stale)).toMatchObject({ status: 409, field: "token" });
    expect(await writes()).toEqual([]);
  });

  it("the preview's tokens carry web through template (201), point (200) and refresh (202), each audited", async () => {
    const preview = (await (await routes.one.GET(get("/api/groups/web"), params("web"))).json()) as {
      fix: { token: string; diff: string; expectedVersion: number };
    };
    expect(preview.fix.diff).toContain("+echo ECS_WARM_POOLS_CHECK=false >> /etc/ecs/ecs.config");
    const created = await routes.template.POST(
      post("/api/groups/web/fix/template", { token: preview.fix.token }),
      params("web"),
    );
    expect(created.status).toBe(201);
    const c = (await created.json()) as { version: number; pointToken: string };
    expect(c.version).toBe(preview.fix.expectedVersion);
    const pointed = await routes.point.POST(
      post("/api/groups/web/fix/point", { version: c.version, token: c.pointToken }),
      params("web"),
    );
    expect(pointed.status).toBe(200);
    const p = (await pointed.json()) as { refreshToken: string };
    const refreshed = await routes.refresh.POST(
      post("/api/groups/web/fix/refresh", { token: p.refreshToken }),
      params("web"),
    );
    expect(refreshed.status).toBe(202);
    expect((await writes()).map((w) => w.op)).toEqual([
      "CreateLaunchTemplateVersion",
      "UpdateAutoScalingGroup",
      "StartInstanceRefresh",
    ]);
    const after = (await (await routes.one.GET(get("/api/groups/web"), params("web"))).json()) as {
      exposure: GroupExposure;
      audit: { step: string; phase: string; actor: string }[];
    };
    expect(after.exposure.exposure).toBe("safe");
    expect(after.audit.map((a) => `${a.step}:${a.phase}:${a.actor}`).reverse()).toEqual([
      `template:requested:${OPS}`,
      `template:succeeded:${OPS}`,
      `point:requested:${OPS}`,
      `point:succeeded:${OPS}`,
      `refresh:requested:${OPS}`,
      `refresh:succeeded:${OPS}`,
    ]);
  });
});
