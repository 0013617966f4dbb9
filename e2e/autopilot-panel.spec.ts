import { expect, expectAccessible, screenshot, startScan, test, waitForScan } from "./fixtures.ts";

// One database: scan first (the groups the panel lists come from the latest results), then change autopilot in order.
test.describe.configure({ mode: "serial" });

type Status = {
  killSwitch: { engaged: boolean; source?: string };
  policies: { group: string | null; mode: string; maxRestartsPerHour: number; author: string }[];
  groups: string[];
  recent: { kind: string; actor: string }[];
};

test("an operator sets a group's policy and engages the kill switch from the Watch page; both are logged", async ({
  page,
  request,
  baseURL,
  consoleErrors,
}) => {
  await waitForScan(request, baseURL!, await startScan(request, baseURL!));
  const before = (await (await request.get(`${baseURL}/api/autopilot`)).json()) as Status;
  expect(before.groups.length).toBeGreaterThan(0);
  expect(before.policies).toEqual([]);
  const group = before.groups[0]!;

  await page.goto("/watch");
  await expect(page.getByRole("heading", { name: "Autopilot", exact: true })).toBeVisible();
  await expect(page.getByTestId(`mode-${group}`)).toContainText("off");
  await page.getByTestId(`edit-${group}`).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toBeVisible();
  await dialog.getByTestId("policy-mode").getByRole("button").click();
  await page.getByRole("option", { name: /^Notify/ }).click();
  await dialog.getByRole("spinbutton", { name: "Restarts per hour" }).fill("7");
  await dialog.getByTestId("policy-save").click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId(`mode-${group}`)).toContainText("notify");

  const after = (await (await request.get(`${baseURL}/api/autopilot`)).json()) as Status;
  expect(after.policies).toEqual([
    expect.objectContaining({ group, mode: "notify", maxRestartsPerHour: 7, author: "local" }),
  ]);

  // A refused value comes back naming its field, shown by the field.
  await page.getByTestId(`edit-${group}`).click();
  await dialog.getByRole("spinbutton", { name: "Restarts per hour" }).fill("0");
  await dialog.getByTestId("policy-save").click();
  await expect(dialog.getByText(/maxRestartsPerHour/)).toBeVisible();
  await dialog.getByRole("button", { name: "Cancel" }).click();

  await page.getByRole("checkbox", { name: /^Kill switch/ }).click();
  await page.getByTestId("kill-switch-confirm").click();
  await expect(page.getByRole("checkbox", { name: /^Kill switch engaged/ })).toBeChecked();
  const killed = (await (await request.get(`${baseURL}/api/autopilot`)).json()) as Status;
  expect(killed.killSwitch).toMatchObject({ engaged: true, source: "page" });
  expect(killed.recent.map((e) => e.kind).slice(0, 2)).toEqual(["kill-switch", "policy-changed"]);
  await expectAccessible(page, "the Watch page");
  await screenshot(page, "autopilot-panel");

  await page.getByRole("checkbox", { name: /^Kill switch/ }).click();
  await page.getByTestId("kill-switch-confirm").click();
  await expect(page.getByRole("checkbox", { name: /^Kill switch released/ })).not.toBeChecked();
  // The one refusal above is the browser's only complaint (it logs every 4xx answer).
  expect(consoleErrors.filter((e) => !/400 \(Bad Request\) @ \S+\/api\/autopilot\/policies$/.test(e))).toEqual([]);
});
