import { createHmac, timingSafeEqual } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { type Server, simulatorEnv, startNext, startSimProcess } from "../bin/servers.ts";

/*
 * Autopilot end to end, as an operator meets it. The simulator runs a small scale-out fleet: groups `web` and
 * `batch` launch instances with an affected agent (1.89.3, the check on) that boot before their group publishes a
 * lifecycle state, so each dies on the 404 and waits. The server watches every 2 s and posts alerts to a signed
 * JSON webhook: a receiver in this test. The operator sets `web` to restart and `batch` to notify on the Watch page,
 * then lets the groups launch: web's failures are restarted, verified and listed healthy; batch's are only alerted.
 * The simulator's call log holds one restart per web instance and none for batch; every alert body is signed.
 */
test.describe.configure({ mode: "serial" });

const SECRET = "e2e-webhook-secret-0123456789";
const WEB_LAUNCHES = 3;
const BATCH_LAUNCHES = 2;

type Alert = { kind: string; instanceId?: string; group?: string; verdict?: string; outcome?: string };
type Received = { body: { type: string; alerts: Alert[] }; signatureOk: boolean };

let dir: string;
let sim: Server;
let app: Server;
let receiver: HttpServer;
const received: Received[] = [];

function scenario() {
  const launch = {
    agentVersion: "1.89.3",
    ecsConfig: { ECS_CLUSTER: "prod", ECS_WARM_POOLS_CHECK: "true" },
  };
  return {
    name: "autopilot-e2e",
    // The group publishes InService 6 s after a launch; the agent asks 1 s after boot (3 s): it gets the 404.
    timing: { bootSeconds: 1, publishDelaySeconds: 6, lifecycleFailureSeconds: 1, deliveryMs: { min: 100, max: 300 } },
    groups: [
      {
        name: "web",
        maxSize: 10,
        launch,
        scaleOut: { every: "6s", count: 1, into: "in-service", max: WEB_LAUNCHES, startAfter: "1s" },
      },
      {
        name: "batch",
        maxSize: 10,
        launch,
        scaleOut: { every: "6s", count: 1, into: "in-service", max: BATCH_LAUNCHES, startAfter: "1s" },
      },
    ],
    hosts: [
      { id: "i-0e2e000000000a001", agentVersion: "1.91.1", launchedAgo: "2h", group: { name: "web" } },
      { id: "i-0e2e000000000b001", agentVersion: "1.91.1", launchedAgo: "2h", group: { name: "batch" } },
    ],
  };
}

/** What a receiver does with X-Fleet-Doctor-Signature: HMAC-SHA256 of `${timestamp}.${body}` with the shared secret. */
function verify(body: string, timestamp: string | undefined, signature: string | undefined): boolean {
  if (!timestamp || !signature?.startsWith("sha256=")) return false;
  const want = createHmac("sha256", SECRET).update(`${timestamp}.${body}`).digest();
  const got = Buffer.from(signature.slice("sha256=".length), "hex");
  return got.length === want.length && timingSafeEqual(got, want);
}

test.beforeAll(async () => {
  test.setTimeout(180_000);
  dir = mkdtempSync(path.join(tmpdir(), "fd-e2e-autopilot-"));
  receiver = createServer((req, res) => {
    let text = "";
    req.on("data", (c: Buffer) => {
      text += c.toString();
    });
    req.on("end", () => {
      const h = (n: string) => req.headers[n] as string | undefined;
      received.push({
        body: JSON.parse(text),
        signatureOk: verify(text, h("x-fleet-doctor-timestamp"), h("x-fleet-doctor-signature")),
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  const file = path.join(dir, "scenario.json");
  writeFileSync(file, JSON.stringify(scenario()));
  sim = await startSimProcess(file, ["--exec", "model"]);
  // Hold the launches until the policies are set.
  await fetch(`${sim.url}/_sim/scale`, { method: "POST", body: JSON.stringify({ paused: true }) });
  app = await startNext({
    ...simulatorEnv(sim.url),
    FLEET_DOCTOR_DB: path.join(dir, "autopilot.db"),
    FLEET_DOCTOR_WATCH: "on",
    FLEET_DOCTOR_WATCH_INTERVAL: "2",
    FLEET_DOCTOR_FULL_SCAN_CRON: "off",
    FLEET_DOCTOR_RESTART_WAIT: "20",
    FLEET_DOCTOR_WEBHOOKS: JSON.stringify([{ name: "ops", format: "json", url: hook, secret: SECRET }]),
  });
});

test.afterAll(async () => {
  await app?.stop();
  await sim?.stop();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type Status = {
  policies: { group: string | null; mode: string }[];
  groups: string[];
  recent: { kind: string; instanceId?: string; group?: string; actor: string; actionId?: string }[];
};
const autopilot = async (): Promise<Status> => (await fetch(`${app.url}/api/autopilot`)).json() as Promise<Status>;

async function setMode(page: import("@playwright/test").Page, group: string, mode: RegExp) {
  await page.getByTestId(`edit-${group}`).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByTestId("policy-mode").getByRole("button").click();
  await page.getByRole("option", { name: mode }).click();
  await dialog.getByTestId("policy-save").click();
  await expect(dialog).toBeHidden();
}

test("web restarts, batch notifies: web's new failures are healed and listed, batch's only alerted", async ({
  page,
}) => {
  test.setTimeout(240_000);
  // The watcher's first look probes the two steady hosts: then the Watch page knows both groups.
  await expect.poll(async () => (await autopilot()).groups.sort(), { timeout: 60_000 }).toEqual(["batch", "web"]);

  await page.goto(`${app.url}/watch`);
  await setMode(page, "web", /^Restart/);
  await expect(page.getByTestId("mode-web")).toContainText("restart");
  await setMode(page, "batch", /^Notify/);
  await expect(page.getByTestId("mode-batch")).toContainText("notify");

  await fetch(`${sim.url}/_sim/scale`, { method: "POST", body: JSON.stringify({ paused: false }) });

  // Every web launch is restarted once and verified; the Watch page lists each.
  const launched = async (group: string) => {
    const groups = (await (await fetch(`${sim.url}/_sim/groups`)).json()) as {
      groups: { name: string; instances: { instanceId: string; launchedBy: unknown }[] }[];
    };
    return (groups.groups.find((g) => g.name === group)?.instances ?? [])
      .filter((i) => i.launchedBy)
      .map((i) => i.instanceId)
      .sort();
  };
  await expect.poll(async () => (await launched("web")).length, { timeout: 90_000 }).toBe(WEB_LAUNCHES);
  const web = await launched("web");
  const verified = async () =>
    (await autopilot()).recent
      .filter((e) => e.kind === "verified")
      .map((e) => e.instanceId!)
      .sort();
  await expect.poll(verified, { timeout: 150_000, intervals: [2000] }).toEqual(web);

  // The simulator's own account: restarts went to web's launches only, one each; batch's got none.
  const calls = (await (await fetch(`${sim.url}/_sim/calls?op=SendCommand`)).json()) as {
    calls: { params: { InstanceIds?: string[]; Parameters?: { commands?: string[] } } }[];
  };
  const restarted = calls.calls
    .filter((c) => c.params.Parameters?.commands?.[1]?.startsWith("# fleet-doctor-restart"))
    .flatMap((c) => c.params.InstanceIds ?? [])
    .sort();
  expect(restarted).toEqual(web);
  const batch = await launched("batch");
  expect(batch).toHaveLength(BATCH_LAUNCHES);

  // Every alert body is signed; batch's failures were alerted, and no automatic action touched batch.
  await expect
    .poll(
      () =>
        batch.every((id) =>
          received.some((r) => r.body.alerts.some((a) => a.kind === "new-failure" && a.instanceId === id)),
        ),
      { timeout: 30_000 },
    )
    .toBe(true);
  expect(received.length).toBeGreaterThan(0);
  expect(received.every((r) => r.signatureOk && r.body.type === "fleet-doctor.alerts")).toBe(true);
  const actions = received.flatMap((r) => r.body.alerts).filter((a) => a.kind === "automatic-action");
  expect(actions.filter((a) => batch.includes(a.instanceId!))).toEqual([]);
  expect(
    actions
      .filter((a) => a.outcome === "verified")
      .map((a) => a.instanceId)
      .sort(),
  ).toEqual(web);
  // One alert per instance and verdict, however many looks saw it failing.
  const failures = received
    .flatMap((r) => r.body.alerts)
    .filter((a) => a.kind === "new-failure")
    .map((a) => `${a.instanceId}/${a.verdict}`);
  expect(new Set(failures).size).toBe(failures.length);

  // The Watch page lists the healed instances; the instance list shows them healthy.
  await page.reload();
  for (const id of web) await expect(page.getByText(id).first()).toBeVisible();
  await page.goto(`${app.url}/instances`);
  for (const id of web) {
    const row = page.getByRole("row", { name: new RegExp(id) });
    await expect(row).toContainText(/healthy/i, { timeout: 30_000 });
  }
});
