import { expect, test } from "@playwright/test";
import { overviewReady } from "./fixtures.ts";

test("the home page loads with no console errors and the navigation works", async ({ page }) => {
  const errors: string[] = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(e.message));

  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "Fleet" })).toBeVisible();
  await expect(page.getByText("What Fleet Doctor does")).toBeVisible();
  await overviewReady(page);

  const nav = page.getByRole("navigation").filter({ has: page.getByRole("link", { name: "Scans" }) });
  await nav.getByRole("link", { name: "Scans" }).click();
  await expect(page).toHaveURL(/\/scans$/);
  await expect(page.getByRole("heading", { level: 1, name: "Scans" })).toBeVisible();

  await nav.getByRole("link", { name: "Activity" }).click();
  await expect(page).toHaveURL(/\/activity$/);
  await expect(page.getByRole("heading", { level: 1, name: "Activity" })).toBeVisible();

  expect(errors).toEqual([]);
});

test("Cloudscape's styles arrive as one stylesheet and style the page", async ({ page }) => {
  await page.goto("/instances");
  // Global styles and every component's CSS (build/cloudscape-css.cjs), not a stylesheet per component.
  const sheets = await page
    .locator("link[rel=stylesheet]")
    .evaluateAll((links) => links.map((l) => (l as HTMLLinkElement).href));
  expect(sheets.length, sheets.join("\n")).toBeLessThanOrEqual(3);
  // And they apply: the heading and the button have Cloudscape's sizes, not a bare page's (32 px, 2-3 px corners).
  await expect(page.getByRole("heading", { level: 1, name: /Instances/ })).toHaveCSS("font-size", "24px");
  await page.goto("/");
  await expect(page.getByRole("button", { name: "Scan fleet" })).toHaveCSS("border-radius", "20px");
});
