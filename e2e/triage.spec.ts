import { expect, overviewReady, simUrl, startScan, test, waitForScan } from "./fixtures.ts";

// The on-call job on the demo fleet: after a scan, every fixable instance verified healthy in at most four clicks.
test("restarts every fixable instance from the overview in at most four clicks", async ({ page, request, baseURL }) => {
  test.setTimeout(300_000);
  await waitForScan(request, baseURL!, await startScan(request, baseURL!));
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto("/");
  await overviewReady(page);
  const fixable = Number(await page.getByTestId("fixable-count").getByRole("link").first().textContent());
  expect(fixable).toBeGreaterThan(0);

  const sendsBefore = (await restartSends(request)).length;
  let clicks = 0;
  await page.getByTestId("restart-fixable").click();
  clicks++;
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText(`on ${fixable} fixable instance`);
  await page.getByTestId("confirm-restart-fixable").click();
  clicks++;

  const result = page.getByTestId("restart-fixable-result");
  await expect(result).toContainText(`${fixable} of ${fixable} instance`, { timeout: 240_000 });
  await expect(result).toContainText("verified healthy");
  // The overview's counts are refreshed: nothing is fixable any more, and the restarts' verification scans did not
  // take over "Last scan" (still the fleet scan).
  await expect(page.getByTestId("fixable-count").getByRole("link").first()).toHaveText("0");
  await expect(page.getByTestId("last-scan")).toContainText("all instances");
  expect(clicks).toBeLessThanOrEqual(4);
  // Restarted together: one command for the batch, with MaxConcurrency of the batch (the server's default for
  // lifecycle-404:ready instances, which run no tasks), not one instance at a time.
  const sends = (await restartSends(request)).slice(sendsBefore);
  expect(sends).toHaveLength(1);
  expect(sends[0]!.params.InstanceIds).toHaveLength(fixable);
  expect(sends[0]!.params.MaxConcurrency).toBe(String(fixable));
  await page.screenshot({ path: test.info().outputPath("overview-after-triage-1280.png"), fullPage: true });
});

type Send = { params: { InstanceIds?: string[]; MaxConcurrency?: string; Parameters?: { commands?: string[] } } };

/** The simulator's SendCommand calls that carried the restart script (its marker line). */
async function restartSends(request: import("@playwright/test").APIRequestContext): Promise<Send[]> {
  const res = await request.get(`${simUrl()}/_sim/calls?op=SendCommand`);
  const { calls } = (await res.json()) as { calls: Send[] };
  return calls.filter((c) => c.params.Parameters?.commands?.[1]?.startsWith("# fleet-doctor-restart"));
}
