import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import type { APIRequestContext } from "@playwright/test";
import { startSimulator } from "../sim/main.ts";
import {
  expect,
  expectAccessible,
  loadScenario,
  overviewReady,
  screenshot,
  sidewaysScroll,
  simHosts,
  simUrl,
  startScan,
  tableReady,
  test,
  waitForScan,
} from "./fixtures.ts";

// Fleet membership: one database, two fleets; and an instance its fleet's full scan no longer sees.
test.describe.configure({ mode: "serial" });

const ROOT = path.resolve(import.meta.dirname, "..");
const run = promisify(execFile);

type Listing = { total: number; counts: Record<string, number>; items: { instanceId: string; goneSince?: string }[] };

async function listing(request: APIRequestContext, baseURL: string, query = ""): Promise<Listing> {
  const res = await request.get(`${baseURL}/api/instances?limit=1000${query}`);
  expect(res.ok()).toBe(true);
  return (await res.json()) as Listing;
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

test("a second fleet scanned into the same database leaves the first one's counts alone", async ({
  page,
  request,
  baseURL,
}) => {
  test.setTimeout(180_000);
  await waitForScan(request, baseURL!, await startScan(request, baseURL!));
  const before = await listing(request, baseURL!);
  // Another account's fleet (the small scenario: other instance ids), scanned by the CLI into the same database.
  const other = await startSimulator({ scenario: "small", exec: "model", account: "210987654321" });
  try {
    const { stdout } = await run(process.execPath, [path.join(ROOT, "bin", "fleet-doctor.mjs"), "scan", "--json"], {
      env: {
        ...process.env,
        AWS_ENDPOINT_URL: other.url,
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
        FLEET_DOCTOR_DB: process.env.FLEET_DOCTOR_E2E_DB,
      },
    }).catch((e: { stdout: string }) => ({ stdout: e.stdout })); // exit 1: something needs attention
    expect((JSON.parse(stdout) as { instances: unknown[] }).instances.length).toBeGreaterThan(0);
  } finally {
    await other.close();
  }
  const after = await listing(request, baseURL!);
  expect(after.counts).toEqual(before.counts);
  expect(after.total).toBe(before.total);

  await page.goto("/");
  await overviewReady(page);
  await expect(page.getByRole("button", { name: /^us-east-1 · 123456789012: the fleet in view/ })).toBeVisible();
  await expect(page.getByRole("heading", { name: /Instances by verdict/ })).toContainText(`(${sum(before.counts)})`);
});

test("a gone instance is out of the counts, cannot be restarted, and nothing is sent to it", async ({
  page,
  request,
  baseURL,
}) => {
  test.setTimeout(180_000);
  const demo = JSON.parse(readFileSync(path.join(ROOT, "sim", "scenarios", "demo.json"), "utf8")) as {
    hosts: { id: string }[];
  };
  const gone = demo.hosts[0]!.id;
  try {
    await loadScenario(request, { scenario: { ...demo, hosts: demo.hosts.slice(1) } });
    await waitForScan(request, baseURL!, await startScan(request, baseURL!));
    const now = await listing(request, baseURL!);
    expect(now.items.map((i) => i.instanceId)).not.toContain(gone);
    expect(sum(now.counts)).toBe(demo.hosts.length - 1);
    const withGone = await listing(request, baseURL!, "&include=gone");
    expect(withGone.items.find((i) => i.instanceId === gone)?.goneSince).toBeTruthy();

    const calls = async () =>
      (
        (await (await request.get(`${simUrl()}/_sim/calls?op=SendCommand`)).json()) as {
          calls: { params: { InstanceIds?: string[] } }[];
        }
      ).calls.filter((c) => c.params.InstanceIds?.includes(gone)).length;
    const sentBefore = await calls();
    const res = await request.post(`${baseURL}/api/actions`, {
      data: { kind: "restart", instanceIds: [gone], force: true, reason: "it was fixable an hour ago" },
      headers: { origin: baseURL! },
    });
    expect(res.status()).toBe(422);
    expect(JSON.stringify(await res.json())).toMatch(/Gone: the full scan of fleet/);
    expect(await calls()).toBe(sentBefore);

    await page.goto(`/instances/${gone}`);
    await expect(page.getByTestId("instance-identity")).toContainText("Gone from its fleet");
    await expect(page.getByRole("button", { name: "Restart agent", exact: true })).toBeDisabled();

    // The dashboard's gone view: the overview says how many are gone (not counted) and links to them.
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto("/");
    await overviewReady(page);
    // Earlier specs may have left other instances gone (their scenarios had other hosts): count what the API says.
    const goneCount = withGone.items.filter((i) => i.goneSince).length;
    await expect(page.getByTestId("gone-count")).toContainText(
      `Not counted: ${goneCount} ${goneCount === 1 ? "instance" : "instances"} gone from this fleet`,
    );
    await screenshot(page, "overview-gone-1280");
    await expectAccessible(page, "the overview with gone instances");
    await page.getByTestId("gone-count").getByRole("link", { name: "Show gone instances" }).click();
    await expect(page).toHaveURL(/\/instances\?include=gone$/);
    await tableReady(page);
    const row = page.getByRole("row").filter({ hasText: gone });
    await expect(row).toContainText(/gone since \d{4}-\d\d-\d\d\s*\d\d:\d\d:\d\d UTC/);
    await expect(row.getByRole("checkbox", { name: `Select ${gone}` })).toBeDisabled();
    await expect(page.getByRole("heading", { name: /^Instances/ })).toContainText(`(${withGone.total})`);
    await screenshot(page, "instances-gone-1280");
    await expectAccessible(page, "the instances table with gone instances");
    // The table is as wide as a Cloudscape table lays it out: what a gone row adds must not widen it.
    const tableWidth = () =>
      page
        .getByRole("table", { name: "Instances" })
        .first()
        .evaluate((t) => Math.round(t.getBoundingClientRect().width));
    const widthWithGone = await tableWidth();
    const scrollWithGone = await sidewaysScroll(page, "Instances");
    // Hidden again by the toggle (and out of the link); shown again by it.
    const toggle = page.getByRole("checkbox", { name: "Show gone instances" });
    await expect(toggle).toBeChecked();
    await toggle.click();
    await expect(page).toHaveURL(/\/instances$/);
    await tableReady(page);
    await expect(page.getByRole("heading", { name: /^Instances/ })).toContainText(`(${now.total})`);
    await expect(page.getByRole("row").filter({ hasText: gone })).toHaveCount(0);
    console.log(`table width at 1280 px: ${await tableWidth()} px; with the gone instance: ${widthWithGone} px`);
    expect(widthWithGone).toBeLessThanOrEqual((await tableWidth()) + 1);
    // And it fits: neither way does the table scroll sideways.
    expect(scrollWithGone).toEqual({ table: 0, page: 0 });
    expect(await sidewaysScroll(page, "Instances")).toEqual({ table: 0, page: 0 });
    await page.getByRole("checkbox", { name: "Show gone instances" }).click();
    await expect(page).toHaveURL(/\/instances\?include=gone$/);
    await tableReady(page);
    await expect(page.getByRole("row").filter({ hasText: gone })).toContainText("gone since");
    expect(await calls()).toBe(sentBefore);
  } finally {
    await loadScenario(request, { name: "demo" });
  }
});

test("the restart button shows in advance the refusal of an instance SSM no longer manages", async ({
  page,
  request,
  baseURL,
}) => {
  test.setTimeout(180_000);
  const demo = JSON.parse(readFileSync(path.join(ROOT, "sim", "scenarios", "demo.json"), "utf8")) as {
    hosts: { id: string }[];
  };
  try {
    await loadScenario(request, { name: "demo" });
    await waitForScan(request, baseURL!, await startScan(request, baseURL!));
    const ready = (await simHosts(request)).find((h) => h.expect === "lifecycle-404:ready")!.instanceId;
    // Terminated a moment ago: SSM no longer manages it, and no scan has run since (the store still says ready).
    await loadScenario(request, { scenario: { ...demo, hosts: demo.hosts.filter((h) => h.id !== ready) } });
    const sends = async () =>
      ((await (await request.get(`${simUrl()}/_sim/calls?op=SendCommand`)).json()) as { calls: unknown[] }).calls
        .length;
    const sentBefore = await sends();

    const res = await request.get(`${baseURL}/api/actions/preflight?kind=restart&ids=${ready}`);
    expect(res.status()).toBe(200);
    const { checks } = (await res.json()) as { checks: { ok: boolean; verdict: string; reason: string }[] };
    expect(checks[0]).toMatchObject({ ok: false, verdict: "lifecycle-404:ready" });
    expect(checks[0]!.reason).toMatch(/SSM does not manage this instance now/);

    await page.goto(`/instances/${ready}`);
    await expect(page.getByTestId("restart-blocked-reason")).toContainText("SSM does not manage this instance now");
    await expect(page.getByRole("button", { name: "Restart agent", exact: true })).toBeDisabled();
    expect(await sends()).toBe(sentBefore);
  } finally {
    await loadScenario(request, { name: "demo" });
  }
});
