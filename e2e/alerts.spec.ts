import { expect, expectAccessible, overviewReady, screenshot, startScan, test, waitForScan } from "./fixtures.ts";

test("the Alerts page opens from the side navigation and shows the webhooks and the delivery log", async ({
  page,
  request,
  baseURL,
  consoleErrors,
}) => {
  await page.goto("/");
  await overviewReady(page);
  const nav = page.getByRole("navigation").filter({ has: page.getByRole("link", { name: "Alerts" }) });
  await nav.getByRole("link", { name: "Alerts" }).click();
  await expect(page).toHaveURL(/\/alerts$/);
  await expect(page.getByRole("heading", { level: 1, name: "Alerts" })).toBeVisible();
  await expect(page.getByRole("table", { name: "Webhooks" })).toBeVisible();
  await expect(page.getByRole("table", { name: "Delivery log" })).toBeVisible();
  await expectAccessible(page, "the Alerts page");
  await screenshot(page, "alerts");

  // The API answers the same, and names webhooks only by name, format and events.
  const res = await request.get(`${baseURL}/api/alerts`);
  expect(res.status()).toBe(200);
  const body = (await res.json()) as { webhooks: Record<string, unknown>[]; deliveries: unknown[] };
  expect(Array.isArray(body.deliveries)).toBe(true);
  for (const w of body.webhooks) expect(Object.keys(w).sort()).toEqual(["events", "format", "name"]);
  expect(consoleErrors).toEqual([]);
});

test("the overview's timeline counts the failures a scan found, as a chart and as a table", async ({
  page,
  request,
  baseURL,
  consoleErrors,
}) => {
  const scanId = await startScan(request, baseURL!);
  await waitForScan(request, baseURL!, scanId);
  await page.goto("/");
  await overviewReady(page);
  const timeline = page.getByTestId("failures-timeline");
  await expect(timeline.getByRole("heading", { name: "Failures found and healed, last 24 hours" })).toBeVisible();
  // The demo fleet has failing instances: the first scan finds them (at least one, whatever ran before).
  const summary = (await timeline.getByTestId("timeline-summary").textContent()) ?? "";
  const found = Number(/^(\d+) found failing/.exec(summary)?.[1]);
  expect(found, summary).toBeGreaterThan(0);
  await expect(timeline.getByRole("application", { name: /found failing and healed per hour/ })).toBeVisible();

  await timeline.getByRole("button", { name: "As a table" }).click();
  const table = timeline.getByRole("table", { name: "Failures found and healed per hour" });
  await expect(table).toBeVisible();
  const cells = await table.locator("tbody tr td:nth-child(2)").allInnerTexts();
  expect(cells.reduce((n, c) => n + Number(c), 0)).toBe(found);
  await expectAccessible(page, "the overview with its timeline");
  await screenshot(page, "overview-timeline");
  expect(consoleErrors).toEqual([]);
});
