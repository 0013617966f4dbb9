import { expect, test } from "./fixtures.ts";

// A saved dark mode is on the page from its first paint: with the app's scripts blocked (nothing hydrates, no
// effect runs), the body already carries Cloudscape's dark class, so there is no light frame before React mounts.
test("dark mode is applied before any script of the app runs", async ({ page }) => {
  await page.addInitScript(() => window.localStorage.setItem("fleet-doctor:mode", "dark"));
  await page.route("**/_next/static/**/*.js", (route) => route.abort());
  await page.goto("/");
  await expect(page.locator("body")).toHaveClass(/awsui-dark-mode/);
});

test("light mode stays light", async ({ page }) => {
  await page.route("**/_next/static/**/*.js", (route) => route.abort());
  await page.goto("/");
  await expect(page.locator("body")).not.toHaveClass(/awsui-dark-mode/);
});
