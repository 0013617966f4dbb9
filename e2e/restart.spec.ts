import type { APIRequestContext, Page } from "@playwright/test";
import {
  expect,
  screenshot,
  sidewaysScroll,
  simHosts,
  simUrl,
  startScan,
  tableReady,
  test,
  waitForScan,
} from "./fixtures.ts";

// One fleet, one database: scan the instances this file acts on, then act on them in order.
test.describe.configure({ mode: "serial" });

type Ids = { ready: string[]; blocked: string[] };
let ids: Ids;
const actionIds: string[] = [];

/** SendCommand calls that carried the restart script, as the simulator recorded them. */
async function restartSends(request: APIRequestContext, instanceId: string): Promise<number> {
  const res = await request.get(`${simUrl()}/_sim/calls?op=SendCommand`);
  const calls = (
    (await res.json()) as { calls: { params: { InstanceIds?: string[]; Parameters?: { commands?: string[] } } }[] }
  ).calls;
  return calls.filter(
    (c) =>
      c.params.Parameters?.commands?.[1]?.startsWith("# fleet-doctor-restart") &&
      c.params.InstanceIds?.includes(instanceId),
  ).length;
}

async function openRestart(page: Page, instanceId: string) {
  await page.goto(`/instances/${instanceId}`);
  const button = page.getByRole("button", { name: "Restart agent", exact: true });
  await expect(button).toBeEnabled({ timeout: 15_000 });
  await button.click();
  await expect(page.getByRole("dialog")).toBeVisible();
}

async function waitForOutcome(page: Page) {
  await expect(page).toHaveURL(/\/activity\/[0-9a-f-]{36}$/);
  actionIds.push(page.url().split("/").pop()!);
  await expect(page.getByTestId("action-status")).toHaveText("Completed", { timeout: 120_000 });
}

/** Waits for the action to finish and checks that the instance registered again and is now diagnosed healthy. */
async function expectBackHealthy(page: Page, instanceId: string) {
  await waitForOutcome(page);
  const row = page.getByTestId("action-instances").locator("tr", { hasText: instanceId });
  await expect(row.getByTestId("instance-outcome")).toHaveText("Registered again");
  await expect(row.getByTestId("verdict-after")).toContainText(/healthy/i);
  return row;
}

test.beforeAll(async ({ request, baseURL }) => {
  test.setTimeout(180_000);
  const hosts = await simHosts(request);
  ids = {
    ready: hosts.filter((h) => h.expect === "lifecycle-404:ready").map((h) => h.instanceId),
    blocked: hosts.filter((h) => h.expect === "lifecycle-404:blocked").map((h) => h.instanceId),
  };
  expect(ids.ready.length).toBeGreaterThanOrEqual(4);
  expect(ids.blocked.length).toBeGreaterThanOrEqual(2);
  const scanId = await startScan(request, baseURL!, {
    kind: "ids",
    ids: [...ids.ready.slice(0, 4), ...ids.blocked.slice(0, 2)],
  });
  await waitForScan(request, baseURL!, scanId);
});

// The restarts changed the fleet: give the specs that follow the scenario as it was.
test.afterAll(async ({ request }) => {
  await request.post(`${simUrl()}/_sim/reset`);
});

test("restart a lifecycle-404:ready instance and watch it turn healthy", async ({ page, request, consoleErrors }) => {
  test.setTimeout(180_000);
  const id = ids.ready[0]!;
  await openRestart(page, id);
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByTestId("restart-targets")).toContainText(id);
  await expect(dialog.getByTestId("restart-command")).toContainText("systemctl restart ecs");
  await dialog.getByTestId("confirm-restart").click();
  await expectBackHealthy(page, id);
  expect(await restartSends(request, id)).toBe(1);

  await page.goto(`/instances/${id}`);
  await expect(page.getByTestId("diagnosis-summary")).toBeVisible();
  await expect(page.getByRole("button", { name: "Restart agent", exact: true })).toBeDisabled();
  expect(consoleErrors).toEqual([]);
});

test("a lifecycle-404:blocked instance shows the refusal and its reason", async ({ page, request, baseURL }) => {
  const id = ids.blocked[0]!;
  await page.goto(`/instances/${id}`);
  await expect(page.getByRole("button", { name: "Restart agent", exact: true })).toBeDisabled();
  await expect(page.getByTestId("restart-blocked-reason")).toContainText("lifecycle-404:blocked");
  // The API refuses it the same way, and nothing reaches SSM.
  const res = await request.post(`${baseURL}/api/actions`, {
    data: { kind: "restart", instanceIds: [id] },
    headers: { origin: baseURL! },
  });
  expect(res.status()).toBe(422);
  expect(((await res.json()) as { error: { message: string } }).error.message).toContain("lifecycle-404:blocked");
  expect(await restartSends(request, id)).toBe(0);
});

test("turning the check off on a standalone host brings it up", async ({ page }) => {
  test.setTimeout(180_000);
  const id = ids.blocked[1]!;
  await page.goto(`/instances/${id}`);
  await page.getByRole("button", { name: "More remedies" }).click();
  await page.getByRole("menuitem", { name: /Turn check off and restart/ }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByTestId("restart-command")).toContainText("ECS_WARM_POOLS_CHECK=false");
  await dialog.getByTestId("confirm-restart").click();
  const row = await expectBackHealthy(page, id);
  await expect(row).toContainText("ECS_WARM_POOLS_CHECK true -> false");
});

test("a double click and a second tab send one command", async ({ page, context, request }) => {
  test.setTimeout(180_000);
  const id = ids.ready[1]!;
  const other = await context.newPage();
  await openRestart(page, id);
  await openRestart(other, id);
  const confirm = page.getByRole("dialog").getByTestId("confirm-restart");
  const confirmOther = other.getByRole("dialog").getByTestId("confirm-restart");
  await Promise.all([confirm.dblclick(), confirmOther.click()]);
  await waitForOutcome(page);
  await expect(other).toHaveURL(page.url());
  expect(await restartSends(request, id)).toBe(1);
  await other.close();
});

test("a table selection restarts in batches and every instance comes back", async ({ page, request }) => {
  test.setTimeout(240_000);
  const picked = ids.ready.slice(2, 4);
  await page.goto("/instances?verdict=lifecycle-404%3Aready");
  await tableReady(page);
  // Selecting one row opens the split panel over the table; the second box is clicked through the DOM.
  await page.getByRole("checkbox", { name: `Select ${picked[0]}` }).check();
  await page.getByRole("checkbox", { name: `Select ${picked[1]}` }).dispatchEvent("click");
  const button = page.getByRole("button", { name: "Restart agent on 2 instances" });
  await expect(button).toBeEnabled({ timeout: 15_000 });
  await button.click();
  const dialog = page.getByRole("dialog");
  for (const id of picked) await expect(dialog.getByTestId("restart-targets")).toContainText(id);
  await dialog.getByTestId("confirm-restart").click();
  await waitForOutcome(page);
  await expect(page.getByTestId("instance-outcome")).toHaveText(["Registered again", "Registered again"]);
  for (const id of picked) expect(await restartSends(request, id)).toBe(1);
});

test("the Activity page lists each action", async ({ page }) => {
  await page.goto("/activity");
  await expect(page.getByRole("heading", { level: 1, name: /Activity/ })).toBeVisible();
  for (const id of new Set(actionIds)) await expect(page.getByRole("link", { name: id.slice(0, 8) })).toBeVisible();
  await page.waitForLoadState("networkidle");
  // Every column fits at 1280 px with the navigation open (reasons and actors wrap): no sideways scroll.
  await page.setViewportSize({ width: 1280, height: 900 });
  await expect(page.getByRole("navigation", { name: "Side navigation" })).toBeVisible();
  const scroll = await sidewaysScroll(page, "Activity");
  console.log(`activity table at 1280 px: scrolls sideways by ${scroll.table} px (page by ${scroll.page} px)`);
  expect(scroll).toEqual({ table: 0, page: 0 });
  await screenshot(page, "activity-1280");
  await page.getByRole("link", { name: actionIds[0]!.slice(0, 8) }).click();
  await expect(page).toHaveURL(new RegExp(`/activity/${actionIds[0]}$`));
  await expect(page.getByTestId("action-status")).toHaveText("Completed");
  await expect(page.getByTestId("local-mode-banner")).toContainText("everyone is an operator");
});

test("pages carry the security headers", async ({ request, baseURL }) => {
  const res = await request.get(`${baseURL}/activity`);
  const h = res.headers();
  expect(h["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
  expect(h["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(h["x-content-type-options"]).toBe("nosniff");
  expect(h["referrer-policy"]).toBe("same-origin");
  const api = await request.get(`${baseURL}/api/actions`);
  expect(api.headers()["content-security-policy"]).toContain("default-src 'none'");
});
