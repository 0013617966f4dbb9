import type { APIRequestContext, Page } from "@playwright/test";
import {
  expect,
  expectAccessible,
  screenshot,
  setFaults,
  sidewaysScroll,
  simUrl,
  startScan,
  tableReady,
  test,
  waitForScan,
} from "./fixtures.ts";

// ECS's view in the app (issue 16, item 3): the table's Registered column and the detail page's ECS section, from a
// scan that read the simulator's ECS API; and what the pages say when IAM denies ECS.
test.describe.configure({ mode: "serial" });

type Host = { instanceId: string; agent: { phase: string; cluster?: string; containerInstanceArn?: string } };

async function hosts(request: APIRequestContext): Promise<Host[]> {
  const res = await request.get(`${simUrl()}/_sim/hosts`);
  return ((await res.json()) as { hosts: Host[] }).hosts;
}

/** The text of one column in every row of the table on screen, by its header. */
async function column(page: Page, header: string): Promise<string[]> {
  const headers = await page.locator("table thead th").allInnerTexts();
  const index = headers.findIndex((h) => h.trim() === header);
  expect(index, `column ${header} in ${headers.join(" | ")}`).toBeGreaterThanOrEqual(0);
  return (await page.locator(`table tbody tr td:nth-child(${index + 1})`).allInnerTexts()).map((t) => t.trim());
}

let registered: Host;
let unregistered: Host;

test("the table's Registered column says what ECS says, and filters and sorts like the others", async ({
  page,
  request,
  baseURL,
  consoleErrors,
}) => {
  test.setTimeout(180_000);
  await waitForScan(request, baseURL!, await startScan(request, baseURL!));
  const all = await hosts(request);
  // The container instances ECS has are the hosts whose agent registered (the simulator's ECS API answers from them).
  registered = all.find((h) => h.agent.phase === "registered" && h.agent.containerInstanceArn)!;
  unregistered = all.find((h) => h.agent.phase !== "registered")!;
  expect(registered && unregistered).toBeTruthy();

  await page.goto(`/instances?id=${registered.instanceId}`);
  await tableReady(page);
  expect(await column(page, "Registered")).toEqual(["yes"]);
  await page.goto(`/instances?id=${unregistered.instanceId}`);
  await tableReady(page);
  expect(await column(page, "Registered")).toEqual(["no"]);

  // Filter: the URL's registered=no is a token of the property filter; every row it leaves says no.
  await page.goto("/instances?registered=no");
  await tableReady(page);
  const no = await column(page, "Registered");
  expect(no.length).toBeGreaterThan(0);
  expect(new Set(no)).toEqual(new Set(["no"]));
  await expect(page.getByRole("button", { name: "Remove filter, Registered equals no" })).toBeVisible();

  // Sort: the header orders by it and puts it in the URL (by keyboard: the sticky copy of the header row lies over
  // the real one for the mouse).
  await page.goto("/instances");
  await tableReady(page);
  await page
    .getByRole("columnheader", { name: /^Registered/ })
    .getByRole("button")
    .press("Enter");
  await expect(page).toHaveURL(/sort=registered/);
  const sorted = await column(page, "Registered");
  expect(sorted).toEqual([...sorted].sort());
  await screenshot(page, "instances-registered");
  await expectAccessible(page, "instances table with the Registered column");

  // With the column, every default column still fits at 1280 px with the navigation open: no sideways scroll.
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto("/instances");
  await tableReady(page);
  await expect(page.getByRole("navigation", { name: "Side navigation" })).toBeVisible();
  await expect(page.getByRole("columnheader", { name: /^Registered/ }).first()).toBeVisible();
  const scroll = await sidewaysScroll(page, "Instances");
  console.log(`instances table at 1280 px: scrolls sideways by ${scroll.table} px (page by ${scroll.page} px)`);
  expect(scroll).toEqual({ table: 0, page: 0 });
  await screenshot(page, "instances-1280");
  expect(consoleErrors).toEqual([]);
});

test("the detail page's ECS section: registered or not, cluster, status, agent, registered at", async ({
  page,
  consoleErrors,
}) => {
  await page.goto(`/instances/${registered.instanceId}`);
  const ecs = page.getByTestId("instance-ecs");
  await expect(ecs.getByRole("heading", { name: "ECS" })).toBeVisible();
  await expect(ecs).toContainText("Registered");
  await expect(ecs).toContainText("Yes");
  await expect(ecs).toContainText(registered.agent.cluster ?? "default");
  await expect(ecs).toContainText("ACTIVE");
  await expect(ecs).toContainText("Connected");
  await expect(ecs).toContainText(registered.agent.containerInstanceArn!);
  await expect(ecs).toContainText(/Registered at\s*\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
  await screenshot(page, "instance-ecs");
  await expectAccessible(page, "instance detail with the ECS section");

  await page.goto(`/instances/${unregistered.instanceId}`);
  await expect(page.getByTestId("instance-ecs")).toContainText(/No \(in none of \d+ clusters?\)/);
  expect(consoleErrors).toEqual([]);
});

test("without ECS permissions the scan says so, and the instance's ECS is not asked", async ({
  page,
  request,
  baseURL,
}) => {
  await setFaults(request, { deny: ["ListClusters"] });
  try {
    const scanId = await startScan(request, baseURL!, { kind: "ids", ids: [registered.instanceId] });
    await waitForScan(request, baseURL!, scanId);
    await page.goto(`/scans/${scanId}`);
    await expect(page.getByTestId("scan-ecs-note")).toContainText("AccessDeniedException");
    await page.goto(`/instances/${registered.instanceId}`);
    await expect(page.getByTestId("instance-ecs")).toContainText("Not asked");
    await page.goto(`/instances?id=${registered.instanceId}`);
    await tableReady(page);
    expect(await column(page, "Registered")).toEqual(["not asked"]);
  } finally {
    await setFaults(request, {});
  }
});
