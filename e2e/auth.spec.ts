/**
 * FLEET_DOCTOR_AUTH=alb: a second server (the same build) behind a pretend load balancer: tokens signed by a key
 * this test made, served by a local key server. A viewer reads and scans but cannot restart (the button is
 * disabled, the API answers 403); forged, expired and missing tokens get 401; nothing reaches SSM.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { APIRequestContext } from "@playwright/test";
import { type Server, startNext } from "../bin/servers.ts";
import { albToken, makeKey, startKeyServer, type TestKey } from "../test/helpers/alb-keys.ts";
import { expect, simHosts, simUrl, test } from "./fixtures.ts";

test.describe.configure({ mode: "serial" });

const ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/fleet-doctor/0123456789abcdef";
let key: TestKey;
let rogue: TestKey;
let keys: Awaited<ReturnType<typeof startKeyServer>>;
let app: Server;
let dir: string;
let ready: string;

const token = (
  email: string,
  opts: { expiresIn?: number; key?: TestKey; kid?: string; claims?: Record<string, unknown> } = {},
) =>
  albToken({
    key: opts.key ?? key,
    kid: opts.kid ?? key.kid,
    signer: ARN,
    claims: { sub: email, email, ...opts.claims },
    expiresIn: opts.expiresIn ?? 3600,
  });

async function sendCount(request: APIRequestContext): Promise<number> {
  const res = await request.get(`${simUrl()}/_sim/calls?op=SendCommand`);
  return ((await res.json()) as { calls: unknown[] }).calls.length;
}

test.beforeAll(async ({ request }) => {
  test.setTimeout(180_000);
  key = await makeKey("e2e-key-1");
  rogue = await makeKey("e2e-rogue");
  keys = await startKeyServer([key], { "e2e-drop": "drop", "e2e-502": "502", "e2e-garbage": "garbage" });
  dir = mkdtempSync(path.join(tmpdir(), "fd-e2e-alb-"));
  app = await startNext({
    FLEET_DOCTOR_DB: path.join(dir, "alb.db"),
    FLEET_DOCTOR_AUTH: "alb",
    FLEET_DOCTOR_WATCH: "off",
    FLEET_DOCTOR_ALB_ARN: ARN,
    FLEET_DOCTOR_ALB_KEY_URL: keys.url,
    FLEET_DOCTOR_OPERATORS: "ops@example.com",
    FLEET_DOCTOR_VIEWERS: "viewer@example.com",
    AWS_ENDPOINT_URL: simUrl(),
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
  });
  ready = (await simHosts(request)).find((h) => h.expect === "lifecycle-404:ready")!.instanceId;
  // A viewer may scan: that gives the instance page something to show.
  const res = await request.post(`${app.url}/api/scans`, {
    data: { targets: { kind: "ids", ids: [ready] } },
    headers: { origin: app.url, "x-amzn-oidc-data": token("viewer@example.com") },
  });
  expect(res.status(), await res.text()).toBe(202);
  const { scanId } = (await res.json()) as { scanId: string };
  await expect
    .poll(
      async () => {
        const r = await request.get(`${app.url}/api/scans/${scanId}`, {
          headers: { "x-amzn-oidc-data": token("viewer@example.com") },
        });
        return ((await r.json()) as { scan: { status: string } }).scan.status;
      },
      { timeout: 120_000 },
    )
    .toBe("completed");
});

test.afterAll(async () => {
  await app?.stop();
  await keys?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("a viewer sees the restart button disabled, with why", async ({ browser }) => {
  const context = await browser.newContext({ extraHTTPHeaders: { "x-amzn-oidc-data": token("viewer@example.com") } });
  const page = await context.newPage();
  await page.goto(`${app.url}/instances/${ready}`);
  await expect(page.getByRole("button", { name: "Restart agent", exact: true })).toBeDisabled();
  await expect(page.getByTestId("restart-blocked-reason")).toContainText("operator role");
  await expect(page.getByTestId("local-mode-banner")).toHaveCount(0);
  await context.close();
});

test("the API answers 403 to a viewer and 401 to bad tokens; nothing is sent", async ({ request }) => {
  const before = await sendCount(request);
  const post = (headers: Record<string, string>) =>
    request.post(`${app.url}/api/actions`, {
      data: { kind: "restart", instanceIds: [ready] },
      headers: { origin: app.url, ...headers },
    });
  const viewer = await post({ "x-amzn-oidc-data": token("viewer@example.com") });
  expect(viewer.status()).toBe(403);
  expect(((await viewer.json()) as { error: { code: string } }).error.code).toBe("FORBIDDEN");
  expect((await post({ "x-amzn-oidc-data": token("ops@example.com", { key: rogue }) })).status()).toBe(401);
  expect((await post({ "x-amzn-oidc-data": token("ops@example.com", { expiresIn: -600 }) })).status()).toBe(401);
  expect((await post({})).status()).toBe(401);
  expect((await post({ "x-amzn-oidc-data": token("stranger@example.com") })).status()).toBe(403);
  // An operator from another site: the Origin check stops it.
  expect(
    (
      await request.post(`${app.url}/api/actions`, {
        data: { kind: "restart", instanceIds: [ready] },
        headers: { origin: "https://evil.example", "x-amzn-oidc-data": token("ops@example.com") },
      })
    ).status(),
  ).toBe(403);
  expect(await sendCount(request)).toBe(before);
  // Pages need a valid token too.
  expect((await request.get(`${app.url}/api/instances`)).status()).toBe(401);
});

test("an operator's token is accepted (the preflight answers as operator)", async ({ request }) => {
  const res = await request.get(`${app.url}/api/actions/preflight?ids=${ready}`, {
    headers: { "x-amzn-oidc-data": token("ops@example.com") },
  });
  expect(res.status()).toBe(200);
  expect(((await res.json()) as { role: string }).role).toBe("operator");
});

const PAGES = ["/", "/instances", "/activity", "/scans", "/watch", "/scans/0b6a3b8e-1111-4c3e-9a1b-3f4f5e6d7c8b"];

test("pages and server function calls answer 401 without a token and 403 to a stranger, before rendering", async ({
  request,
}) => {
  for (const page of [...PAGES, `/instances/${ready}`, "/activity/0b6a3b8e-1111-4c3e-9a1b-3f4f5e6d7c8b"]) {
    const anonymous = await request.get(`${app.url}${page}`);
    expect(anonymous.status(), page).toBe(401);
    expect(await anonymous.text()).not.toContain(ready);
    const stranger = await request.get(`${app.url}${page}`, {
      headers: { "x-amzn-oidc-data": token("stranger@example.com") },
    });
    expect(stranger.status(), page).toBe(403);
  }
  // A server function call as a browser makes it (POST with Next-Action to a page): refused before Next.js sees it.
  const action = await request.post(`${app.url}/instances`, {
    headers: { origin: app.url, "next-action": "0".repeat(42), "content-type": "text/plain;charset=UTF-8" },
    data: JSON.stringify([ready]),
  });
  expect(action.status()).toBe(401);
  // A viewer still reads every page.
  for (const page of ["/", "/instances", "/activity", "/scans", "/watch", `/instances/${ready}`]) {
    const ok = await request.get(`${app.url}${page}`, { headers: { "x-amzn-oidc-data": token("viewer@example.com") } });
    expect(ok.status(), page).toBe(200);
  }
});

test("an operator's token that is not valid yet (future nbf or iat) cannot restart: 401, nothing sent", async ({
  request,
}) => {
  const before = await sendCount(request);
  const now = Math.floor(Date.now() / 1000);
  for (const claims of [{ nbf: now + 3600 }, { iat: now + 86_400 }]) {
    const res = await request.post(`${app.url}/api/actions`, {
      data: { kind: "restart", instanceIds: [ready], reason: "not valid yet" },
      headers: { origin: app.url, "x-amzn-oidc-data": token("ops@example.com", { claims }) },
    });
    expect(res.status()).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("UNAUTHORIZED");
  }
  expect(await sendCount(request)).toBe(before);
});

test("a failing key endpoint: 503 when unreachable, 401 for a bad key, fetched once per kid", async ({ request }) => {
  for (const [kid, status] of [
    ["e2e-drop", 503],
    ["e2e-502", 503],
    ["e2e-garbage", 401],
  ] as const) {
    const hits = keys.hits();
    for (const path of ["/api/me", "/instances", "/api/actions"]) {
      const res = await request.get(`${app.url}${path}`, {
        headers: { "x-amzn-oidc-data": token("ops@example.com", { kid }) },
      });
      expect(res.status(), `${kid} ${path}`).toBe(status);
    }
    expect(keys.hits() - hits, kid).toBe(1);
  }
});
