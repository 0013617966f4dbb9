/**
 * withActor in FLEET_DOCTOR_AUTH=alb against a real local key server: the role a route declares is the one check
 * (a viewer cannot reach an operator route's body), mutations need our Origin, and every refusal is the envelope.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { albToken, makeKey, startKeyServer, type TestKey } from "../../test/helpers/alb-keys.ts";

const ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/fleet-doctor/50dc6c495c0c9188";
const BASE = "http://127.0.0.1:3000";
let key: TestKey;
let keys: Awaited<ReturnType<typeof startKeyServer>>;
let saved: NodeJS.ProcessEnv;
let withActor: typeof import("./with-actor.ts").withActor;

beforeAll(async () => {
  key = await makeKey("with-actor-key");
  keys = await startKeyServer([key]);
  // config() is read once per process: set the environment before the first module that reads it loads.
  saved = { ...process.env };
  Object.assign(process.env, {
    FLEET_DOCTOR_AUTH: "alb",
    FLEET_DOCTOR_ALB_ARN: ARN,
    FLEET_DOCTOR_ALB_KEY_URL: keys.url,
    FLEET_DOCTOR_OPERATORS: "ops@example.com",
    FLEET_DOCTOR_VIEWERS: "viewer@example.com",
  });
  ({ withActor } = await import("./with-actor.ts"));
});
afterAll(async () => {
  process.env = saved;
  await keys.close();
});

const token = (email: string) => albToken({ key, signer: ARN, claims: { sub: email, email } });
const call = async (route: (r: Request) => Promise<Response>, method: string, headers: Record<string, string>) => {
  const res = await route(new Request(`${BASE}/api/x`, { method, headers: { host: "127.0.0.1:3000", ...headers } }));
  const body = (await res.json()) as { error?: { code: string }; actor?: string };
  return { status: res.status, code: body.error?.code, actor: body.actor };
};

describe("withActor", () => {
  let reached = 0;
  const handler = async (_r: Request, actor: { id: string }) => {
    reached++;
    return Response.json({ actor: actor.id });
  };

  it("lets an operator through an operator route and refuses a viewer with 403 before the handler runs", async () => {
    const route = withActor("operator", handler);
    const ops = await call(route, "POST", { origin: BASE, "x-amzn-oidc-data": token("ops@example.com") });
    expect(ops).toMatchObject({ status: 200, actor: "ops@example.com" });
    const before = reached;
    const viewer = await call(route, "POST", { origin: BASE, "x-amzn-oidc-data": token("viewer@example.com") });
    expect(viewer).toMatchObject({ status: 403, code: "FORBIDDEN" });
    expect(reached).toBe(before);
  });

  it("needs our Origin on a mutation but not on a read; 401 without a token", async () => {
    const route = withActor("viewer", handler);
    const t = { "x-amzn-oidc-data": token("viewer@example.com") };
    expect(await call(route, "GET", t)).toMatchObject({ status: 200 });
    expect(await call(route, "DELETE", t)).toMatchObject({ status: 403, code: "FORBIDDEN" });
    expect(await call(route, "DELETE", { ...t, origin: "https://evil.example" })).toMatchObject({ status: 403 });
    expect(await call(route, "DELETE", { ...t, origin: BASE })).toMatchObject({ status: 200 });
    expect(await call(route, "GET", {})).toMatchObject({ status: 401, code: "UNAUTHORIZED" });
  });
});
