import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Page } from "@playwright/test";
import { ROOT, type Server, simulatorEnv, startNext, startSimProcess } from "../bin/servers.ts";
import { expect, expectAccessible, overviewReady, screenshot, tableReady, test } from "./fixtures.ts";

/*
 * One console over every fleet: a server of its own, pointed at the simulator's `multi` scenario (an organization's
 * management account 123456789012; members prod 111111111111, staging 222222222222 and sandbox 333333333333, each in
 * us-east-1 and eu-west-1) through the fleets file examples/fleets.multi.yaml (each member read through its
 * FleetDoctorMember role; prod's with its external id; sandbox's role cannot be assumed). One sweep reads every fleet
 * first. Then: the overview's table of fleets with the sandbox fleets' error, the header's picker kept in the URL
 * across pages, the instances table's Account and Region columns and filters, and the instance id that is in prod
 * and in staging shown twice, each row leading to its own account's instance.
 */
test.describe.configure({ mode: "serial" });

const PROD = "111111111111/us-east-1";
const STAGING = "222222222222/us-east-1";
const TWICE = "i-0a1b2c3d4e5f60718"; // in prod/us-east-1 and staging/us-east-1, in different states
const SANDBOX = ["333333333333/us-east-1", "333333333333/eu-west-1"];

let sim: Server;
let app: Server;
let dataDir: string;

type FleetEntry = { id: string; account: string; name?: string; region: string; error?: { code: string } };
type Listing = { total: number; items: { instanceId: string; fleet?: string }[]; fleets: string[] };

async function api<T>(url: string): Promise<T> {
  const res = await fetch(`${app.url}${url}`);
  expect(res.status, `${url}: ${await res.clone().text()}`).toBe(200);
  return (await res.json()) as T;
}

const fleetParam = (id: string) => `fleet=${encodeURIComponent(id)}`;

/** The "Instances by verdict" counter: how many instances the overview counts. */
const countedOnOverview = (page: Page) => page.getByRole("heading", { name: /Instances by verdict/ });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  dataDir = mkdtempSync(path.join(tmpdir(), "fleet-doctor-e2e-fleets-"));
  // Model execution: 55 hosts over six fleets; what this spec looks at is the console, not the probe.
  sim = await startSimProcess("multi", ["--exec", "model"]);
  app = await startNext({
    ...simulatorEnv(sim.url),
    FLEET_DOCTOR_DB: path.join(dataDir, "fleets.db"),
    FLEET_DOCTOR_WATCH: "off",
    FLEET_DOCTOR_FLEETS: path.join(ROOT, "examples", "fleets.multi.yaml"),
  });
  // One sweep over every fleet of the file (a fleets file makes a scan a sweep), as the Scan fleet button starts it.
  const started = await fetch(`${app.url}/api/scans`, {
    method: "POST",
    headers: { origin: app.url, "content-type": "application/json" },
    body: JSON.stringify({ targets: { kind: "all" } }),
  });
  expect(started.status, await started.clone().text()).toBe(202);
  const { sweepId } = (await started.json()) as { sweepId: string };
  await expect
    .poll(async () => (await api<{ sweep: { status: string } }>(`/api/sweeps/${sweepId}`)).sweep.status, {
      timeout: 180_000,
      intervals: [1000],
    })
    .not.toBe("running");
});

test.afterAll(async () => {
  await app?.stop();
  await sim?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test("the overview counts every fleet, lists each with its own counts, and shows the sandbox fleets' error", async ({
  page,
}) => {
  const { fleets } = await api<{ fleets: (FleetEntry & { instances: number })[] }>("/api/fleets");
  expect(fleets.map((f) => f.id).sort()).toEqual(
    [PROD, STAGING, SANDBOX[0], SANDBOX[1], "111111111111/eu-west-1", "222222222222/eu-west-1"].sort(),
  );
  // Sandbox's role cannot be assumed: an error of its two fleets, never the others'.
  for (const f of fleets) {
    if (SANDBOX.includes(f.id)) expect(f.error?.code, f.id).toBe("AccessDenied");
    else {
      expect(f.error, f.id).toBeUndefined();
      expect(f.instances, f.id).toBeGreaterThan(0);
    }
  }
  const all = await api<Listing>("/api/instances?limit=1");

  await page.goto(`${app.url}/`);
  await overviewReady(page);
  await expect(page.getByRole("button", { name: /^All fleets \(6\): the fleets in view/ })).toBeVisible();
  await expect(countedOnOverview(page)).toContainText(`(${all.total})`);
  const table = page.getByRole("table", { name: "Fleets" });
  await expect(table.getByRole("row")).toHaveCount(1 + fleets.length);
  for (const f of fleets) {
    const row = table.getByRole("row").filter({ has: page.getByTestId(`fleet-${f.id}`) });
    await expect(row).toContainText(f.region);
    if (f.error) {
      // The code in the row, the whole message in the alert above the table.
      await expect(row).toContainText("AccessDenied");
      const item = page
        .getByTestId("fleet-errors")
        .getByRole("listitem")
        .filter({ hasText: `(333333333333) ${f.region}:` });
      await expect(item).toContainText(/AccessDenied: Role arn:aws:iam::333333333333:role\/\S+ .*could not be assumed/);
    } else await expect(row.getByRole("link", { name: `${f.instances} instances in ${f.id}` })).toBeVisible();
  }
  await expect(table.getByRole("row").filter({ has: page.getByTestId(`fleet-${PROD}`) })).toContainText(
    "prod (111111111111)",
  );
  await screenshot(page, "overview-fleets-1280");
  await expectAccessible(page, "the overview of every fleet");
});

test("the fleet picked in the header lives in the URL and follows the links between pages", async ({ page }) => {
  const prod = await api<Listing>(`/api/instances?limit=1&${fleetParam(PROD)}`);
  await page.goto(`${app.url}/`);
  await overviewReady(page);
  await page.getByRole("button", { name: /^All fleets \(6\)/ }).click();
  await page.getByRole("menuitem", { name: /prod · us-east-1 · 111111111111/ }).click();
  await expect(page).toHaveURL(new RegExp(`/\\?${fleetParam(PROD)}$`));
  await expect(page.getByRole("button", { name: /^us-east-1 · 111111111111: the fleet in view/ })).toBeVisible();
  await expect(countedOnOverview(page)).toContainText(`(${prod.total})`);

  // The side navigation keeps it: the instances of prod/us-east-1 only, the same count.
  await page.getByRole("navigation", { name: "Side navigation" }).getByRole("link", { name: "Instances" }).click();
  await expect(page).toHaveURL(new RegExp(`/instances\\?${fleetParam(PROD)}`));
  await tableReady(page);
  await expect(page.getByRole("heading", { name: /^Instances/ })).toContainText(`(${prod.total})`);
  // One fleet in view: its account and region would say one thing on every row, so they are not columns.
  await expect(page.getByRole("columnheader", { name: "Account" })).toHaveCount(0);
  // A link reproduces the view, and "All fleets" goes back to every fleet.
  await page.reload();
  await tableReady(page);
  await expect(page.getByRole("button", { name: /^us-east-1 · 111111111111: the fleet in view/ })).toBeVisible();
  await page.getByRole("button", { name: /^us-east-1 · 111111111111/ }).click();
  await page.getByRole("menuitem", { name: /^All fleets/ }).click();
  await expect(page).toHaveURL(/\/instances$/);
  await tableReady(page);
  const all = await api<Listing>("/api/instances?limit=1");
  await expect(page.getByRole("heading", { name: /^Instances/ })).toContainText(`(${all.total})`);
});

test("the instances table has Account and Region columns and filters, kept in the URL", async ({ page }) => {
  const want = await api<Listing>("/api/instances?limit=1000&account=222222222222&region=eu-west-1");
  expect(want.total).toBeGreaterThan(0);
  const all = await api<Listing>("/api/instances?limit=1");
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${app.url}/instances?account=222222222222&region=eu-west-1`);
  await tableReady(page);
  await expect(page.getByRole("columnheader", { name: /Account/ }).first()).toBeVisible();
  await expect(page.getByRole("columnheader", { name: /Region/ }).first()).toBeVisible();
  await expect(page.getByRole("heading", { name: /^Instances/ })).toContainText(`(${want.total}/${all.total})`);
  const rows = page.getByRole("table", { name: "Instances" }).first().getByRole("row");
  for (const row of (await rows.all()).slice(1)) {
    await expect(row).toContainText("222222222222");
    await expect(row).toContainText("eu-west-1");
  }
  await expect(page).toHaveURL(/\/instances\?account=222222222222&region=eu-west-1$/);
  // The filter offers the accounts and regions as values.
  await page.getByRole("combobox", { name: "Filter instances" }).fill("Account");
  await expect(page.getByRole("option", { name: /Account/ }).first()).toBeVisible();
  await page.keyboard.press("Escape");
  await screenshot(page, "instances-fleets-1280");
  await expectAccessible(page, "the instances table of every fleet");
});

test("the same instance id in prod and in staging is two rows, each leading to its own account's instance", async ({
  page,
}) => {
  const both = await api<Listing>(`/api/instances?${fleetParam(PROD)}&${fleetParam(STAGING)}&q=${TWICE}`);
  expect(
    both.items
      .filter((i) => i.instanceId === TWICE)
      .map((i) => i.fleet)
      .sort(),
  ).toEqual([PROD, STAGING]);

  await page.goto(`${app.url}/instances?id=${TWICE}`);
  await tableReady(page);
  const rows = page.getByRole("table", { name: "Instances" }).first().getByRole("row").filter({ hasText: TWICE });
  await expect(rows).toHaveCount(2);
  await expect(rows.filter({ hasText: "111111111111" })).toHaveCount(1);
  await expect(rows.filter({ hasText: "222222222222" })).toHaveCount(1);
  const staging = rows
    .filter({ hasText: "222222222222" })
    .getByRole("link", { name: `Show details of ${TWICE} in ${STAGING}` });
  await expect(staging).toHaveAttribute("href", `/instances/${TWICE}?${fleetParam(STAGING)}`);
  const href = await staging.getAttribute("href");
  await page.goto(`${app.url}${href}`);
  await expect(page.getByTestId("instance-identity")).toContainText("222222222222");
  await expect(page.getByTestId("instance-identity")).not.toContainText("111111111111");
  await expectAccessible(page, "an instance of staging");
});
