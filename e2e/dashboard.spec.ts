import { readFileSync } from "node:fs";
import {
  expect,
  expectAccessible,
  expectedCounts,
  loadScenario,
  overviewReady,
  screenshot,
  setFaults,
  simHosts,
  startScan,
  tableReady,
  test,
  waitForScan,
} from "./fixtures.ts";

// One fleet, one database: the tests build on each other's scans, in order.
test.describe.configure({ mode: "serial" });

const FIXABLE = "lifecycle-404:ready";

test("scanning the demo fleet shows the counts the scenario expects", async ({ page, request, consoleErrors }) => {
  test.setTimeout(180_000);
  const expected = expectedCounts(await simHosts(request));
  expect(expected[FIXABLE]).toBeGreaterThan(0);

  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "Fleet" })).toBeVisible();
  await expect(page.getByText("What Fleet Doctor does")).toBeVisible();
  await page.getByRole("button", { name: "Scan fleet" }).click();
  const progress = page.getByTestId("scan-progress");
  await expect(progress).toBeVisible();
  await expect(progress).toHaveAttribute("data-status", "completed", { timeout: 150_000 });

  // The page re-renders its counts from the server once the scan has finished.
  await expect(page.getByTestId("fixable-count")).toContainText(String(expected[FIXABLE]));
  for (const [verdict, n] of Object.entries(expected)) {
    if (verdict === FIXABLE) continue;
    await expect(page.getByTestId(`count-${verdict}`), verdict).toContainText(String(n));
  }
  await expect(page.getByTestId("last-scan")).toContainText("completed");
  await expect(page.getByRole("heading", { name: "Verdicts by Auto Scaling group" })).toBeVisible();
  await screenshot(page, "overview");
  await expectAccessible(page, "overview");
  expect(consoleErrors).toEqual([]);
});

test("the fixable count opens the table filtered to it, and the view is in the URL", async ({ page, request }) => {
  const fixable = (await simHosts(request)).filter((h) => h.expect === FIXABLE).map((h) => h.instanceId);
  await page.goto("/");
  await overviewReady(page);
  await page.getByTestId("fixable-count").getByRole("link").click();
  await expect(page).toHaveURL(/\/instances\?verdict=lifecycle-404%3Aready$/);
  const rows = page.locator("table tbody tr");
  await expect(rows).toHaveCount(fixable.length);
  for (const id of fixable) await expect(page.getByRole("link", { name: `Show details of ${id}` })).toBeVisible();
  await expect(rows.filter({ hasText: "Restart will fix" })).toHaveCount(fixable.length);
  await tableReady(page);
  await screenshot(page, "table");
  await expectAccessible(page, "instances table");

  // Sorting goes into the URL; the URL alone reproduces the view in a fresh page.
  // By keyboard: the sticky copy of the header row lies over the real one for the mouse.
  await page
    .getByRole("columnheader", { name: /Instance ID/ })
    .getByRole("button")
    .press("Enter");
  await expect(page).toHaveURL(/sort=instanceId/);
  const url = page.url();
  const other = await page.context().newPage();
  await other.goto(url);
  await expect(other.locator("table tbody tr")).toHaveCount(fixable.length);
  await expect(other.locator("table tbody tr").first()).toContainText([...fixable].sort()[0]!);
  await other.close();
});

test("typing in the filter suggests properties, then values, and applies the one chosen", async ({ page, request }) => {
  const fixable = (await simHosts(request)).filter((h) => h.expect === FIXABLE).map((h) => h.instanceId);
  await page.goto("/instances");
  await tableReady(page);
  const filter = page.getByRole("combobox", { name: "Filter instances" });
  const focusRings = () => page.evaluate(() => document.body.hasAttribute("data-awsui-focus-visible"));
  await filter.click();
  await filter.pressSequentially("l");
  // One letter suggests property names only (it would match most values)...
  await expect(page.getByRole("option", { name: /^Lifecycle state/ })).toBeVisible();
  await expect(page.getByRole("option", { name: /^Verdict = / })).toHaveCount(0);
  // ...and typing is not keyboard navigation: focus rings stay off.
  expect(await focusRings()).toBe(false);
  await filter.pressSequentially("ifecycle-404:r");
  const ready = page.getByRole("option", { name: /^Verdict = Restart will fix \(lifecycle-404:ready\)/ });
  await expect(ready).toBeVisible();
  // A navigation key turns focus rings on, as anywhere else.
  await filter.press("ArrowDown");
  expect(await focusRings()).toBe(true);
  await ready.click();
  await expect(page).toHaveURL(/[?&]verdict=lifecycle-404%3Aready(&|$)/);
  await expect(page.locator("table tbody tr")).toHaveCount(fixable.length);
  // Editing the token offers every verdict, whatever one letter was typed before.
  await filter.pressSequentially("w");
  await page.getByRole("button", { name: "Verdict = lifecycle-404:ready" }).click();
  const editor = page.getByRole("dialog", { name: "Edit filter" });
  await editor.getByRole("combobox", { name: "Value" }).click();
  await expect(page.getByRole("option", { name: /^Healthy \(healthy\)/ })).toBeVisible();
  await expect(page.getByRole("option", { name: /^Agent failed \(agent-failed\)/ })).toBeVisible();
});

test("the server renders the URL's view in the saved page size before any script runs", async ({
  page,
  browser,
  baseURL,
  request,
}) => {
  const fixable = (await simHosts(request))
    .filter((h) => h.expect === FIXABLE)
    .map((h) => h.instanceId)
    .sort();
  // Pages hold 25 rows until a person saves another size through the preferences dialog (the demo fleet has more
  // instances than either size).
  await page.goto("/instances");
  await tableReady(page);
  await expect(page.locator("table tbody tr")).toHaveCount(25);
  await page.getByRole("button", { name: "Preferences" }).click();
  const dialog = page.getByRole("dialog", { name: "Preferences" });
  await dialog.getByText("50 instances").click();
  await dialog.getByRole("button", { name: "Confirm" }).click();
  await expect(page.locator("table tbody tr")).toHaveCount(50);

  const noScript = await browser.newContext({ javaScriptEnabled: false, baseURL });
  try {
    await noScript.addCookies(await page.context().cookies());
    const plain = await noScript.newPage();
    await plain.goto(`/instances?verdict=${encodeURIComponent(FIXABLE)}&sort=instanceId&desc=1`);
    const rows = plain.locator("table tbody tr");
    await expect(rows).toHaveCount(fixable.length);
    await expect(rows.first()).toContainText(fixable.at(-1)!);
    await expect(rows.last()).toContainText(fixable[0]!);
    // Filtering waits for every row, which only the page's script fetches.
    await expect(plain.getByRole("combobox", { name: "Filter instances" })).toBeDisabled();
    await plain.goto("/instances");
    await expect(plain.locator("table tbody tr")).toHaveCount(50);
    await plain.goto("/instances?q=no-such-instance");
    await expect(plain.getByText("No instance matches these filters.")).toBeVisible();
  } finally {
    await noScript.close();
  }
});

test("export CSV writes the rows of the current view", async ({ page, request }) => {
  const fixable = (await simHosts(request)).filter((h) => h.expect === FIXABLE).map((h) => h.instanceId);
  await page.goto(`/instances?verdict=${encodeURIComponent(FIXABLE)}`);
  await expect(page.locator("table tbody tr")).toHaveCount(fixable.length);
  await tableReady(page);
  await page.getByRole("button", { name: "Export the current view" }).click();
  const download = page.waitForEvent("download");
  await page.getByRole("menuitem", { name: "CSV (current view)" }).click();
  const file = await (await download).path();
  const lines = readFileSync(file, "utf8").trimEnd().split("\r\n");
  const header = lines[0]!.split(",");
  expect(header.slice(0, 2)).toEqual(["instanceId", "verdict"]);
  const rows = lines.slice(1).map((l) => l.split(","));
  expect(rows.map((r) => r[0]).sort()).toEqual([...fixable].sort());
  expect(new Set(rows.map((r) => r[1]))).toEqual(new Set([FIXABLE]));
});

test("an instance shows the lifecycle 404 line as highlighted evidence", async ({ page, request, consoleErrors }) => {
  const id = (await simHosts(request)).find((h) => h.expect === FIXABLE)!.instanceId;
  await page.goto(`/instances?verdict=${encodeURIComponent(FIXABLE)}`);
  await tableReady(page);
  // The split panel first.
  await page.getByRole("link", { name: `Show details of ${id}` }).click();
  await expect(page).toHaveURL(new RegExp(`selected=${id}`));
  // The lifecycle line is nowhere in the table: seeing it means the split panel shows the instance's evidence.
  await expect(page.getByText("Could not determine target lifecycle of instance").first()).toBeVisible();

  // Then its own page.
  await page.goto(`/instances/${id}`);
  await expect(page.getByRole("heading", { level: 1, name: id })).toBeVisible();
  const evidence = page.getByTestId("evidence").filter({ hasText: "Could not determine target lifecycle of instance" });
  await expect(evidence.first()).toBeVisible();
  await expect(evidence.first()).toContainText("404");
  await expect(evidence.first().getByTestId("evidence-match")).not.toHaveCount(0);
  await expect(page.getByTestId("remedy").first()).toBeVisible();
  await expect(page.getByRole("button", { name: /Copy command|Copy config line/ }).first()).toBeVisible();
  await page.getByText("Raw probe output").click();
  await expect(page.getByTestId("raw-output")).toBeVisible();
  await expect(page.getByRole("heading", { name: "History" })).toBeVisible();
  await screenshot(page, "detail");
  await expectAccessible(page, "instance detail");
  expect(consoleErrors).toEqual([]);
});

test("reloading in the middle of a scan picks its progress up again", async ({ page, request, baseURL }) => {
  test.setTimeout(180_000);
  // Slow every AWS answer down so the scan is still running when the page reloads.
  await setFaults(request, { latencyMs: 1500 });
  try {
    await page.goto("/");
    await page.getByRole("button", { name: "Scan fleet" }).click();
    const progress = page.getByTestId("scan-progress");
    await expect(progress).toHaveAttribute("data-status", "running");
    await page.reload();
    await expect(progress).toBeVisible();
    await expect(progress).toHaveAttribute("data-status", "running");
    const before = Number(await progress.getAttribute("data-done"));
    await expect
      .poll(async () => Number(await progress.getAttribute("data-done")), { timeout: 120_000 })
      .toBeGreaterThan(before);
    await expect(progress).toHaveAttribute("data-status", "completed", { timeout: 150_000 });
  } finally {
    await setFaults(request, { latencyMs: 0 });
  }
  const scans = (await (await request.get(`${baseURL}/api/scans`)).json()) as { scans: { status: string }[] };
  expect(scans.scans[0]!.status).toBe("completed");
});

test("the scans pages list scans and show one scan's instances and errors by kind", async ({ page, request }) => {
  const offline = (await simHosts(request)).filter((h) => h.expect === "ssm-unreachable").length;
  await page.goto("/scans");
  await expect(page.getByRole("heading", { level: 1, name: /Scans/ })).toBeVisible();
  await expectAccessible(page, "scans");
  await page.locator("table tbody tr").first().getByRole("link").click();
  await expect(page).toHaveURL(/\/scans\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name: /Instances in this scan/ })).toBeVisible();
  await expect(page.getByTestId("scan-progress")).toHaveAttribute("data-status", "completed");
  const undeliverable = page.getByTestId("errors-undeliverable");
  await expect(undeliverable).toContainText(`Undeliverable (${offline})`);
  await expectAccessible(page, "scan detail");
});

test("unknown pages and instances say so", async ({ page }) => {
  await page.goto("/instances/i-0000000000000dead");
  await expect(page.getByRole("heading", { level: 1, name: "Instance not found" })).toBeVisible();
  await page.goto("/scans/00000000-0000-4000-8000-000000000000");
  await expect(page.getByRole("heading", { level: 1, name: "Scan not found" })).toBeVisible();
  await page.goto("/no-such-page");
  await expect(page.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
  await expectAccessible(page, "not found");
});

test("dark mode is accessible too", async ({ page }) => {
  await page.goto("/instances");
  await tableReady(page);
  await page.getByRole("button", { name: "Switch to dark mode" }).click();
  await expect(page.locator("body")).toHaveClass(/awsui-dark-mode/);
  await expectAccessible(page, "instances, dark");
  await page.goto("/");
  await expect(page.locator("body")).toHaveClass(/awsui-dark-mode/);
  await screenshot(page, "overview-dark");
  await expectAccessible(page, "overview, dark");
});

test("HTML and script tags in an instance's log lines show as text and never run", async ({
  page,
  request,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const payload = "<script>window.__xss=1</script><img src=x onerror=window.__xss=2>";
  const id = "i-0aaaaaaaaaaaaaaa1";
  await loadScenario(request, {
    scenario: {
      name: "html-in-logs",
      groups: [{ name: "web", minSize: 0, maxSize: 4 }],
      hosts: [
        {
          id,
          agentVersion: "1.89.3",
          launchedAgo: "2h",
          // The agent writes the configured cluster name into its state-mismatch log line.
          failure: "state-mismatch",
          ecsConfig: { ECS_CLUSTER: payload },
          group: { name: "web" },
          latencyMs: 200,
        },
      ],
    },
  });
  try {
    const scanId = await startScan(request, baseURL!, { kind: "ids", ids: [id] });
    await waitForScan(request, baseURL!, scanId);
    await page.goto(`/instances/${id}`);
    await expect(page.getByRole("heading", { level: 1, name: id })).toBeVisible();
    // The markup is on the page as characters...
    await expect(page.getByText(payload, { exact: false }).first()).toBeVisible();
    // ...and not as elements, and nothing it carries ran.
    await expect(page.locator("img[src='x']")).toHaveCount(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    await page.goto(`/instances?q=${id}&selected=${id}`);
    await expect(page.locator("img[src='x']")).toHaveCount(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  } finally {
    await loadScenario(request, { name: "demo" });
  }
});
