import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Server, simulatorEnv, startNext } from "../bin/servers.ts";
import { expect, expectAccessible, simUrl, test } from "./fixtures.ts";

/*
 * The Watch page on a server of its own with the watcher on (the shared test server has it off) and a 2 s interval,
 * over the shared simulator and a throw-away SQLite file: the page shows the leader, what the last look saw and
 * probed, and links the probe scan, which the watcher ran as `watcher`.
 */
test.describe.configure({ mode: "serial" });

type WatchStatusBody = {
  leader: { owner: string } | null;
  lastLook?: { seen: number; calls: number; scanId?: string; found: { new: number } };
};

let app: Server;
let dir: string;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  dir = mkdtempSync(path.join(tmpdir(), "fd-e2e-watch-"));
  app = await startNext({
    ...simulatorEnv(simUrl()),
    FLEET_DOCTOR_DB: path.join(dir, "watch.db"),
    FLEET_DOCTOR_WATCH: "on",
    FLEET_DOCTOR_WATCH_INTERVAL: "2",
    FLEET_DOCTOR_FULL_SCAN_CRON: "off",
  });
});

test.afterAll(async () => {
  await app?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const status = async () => (await (await fetch(`${app.url}/api/watch`)).json()) as WatchStatusBody;

test("the Watch page shows the leader, the last look's figures and its probe scan", async ({ page, consoleErrors }) => {
  test.setTimeout(120_000);
  // The first look finds every instance new and probes them all in one scan.
  await expect.poll(async () => (await status()).lastLook?.scanId ?? "", { timeout: 90_000 }).not.toBe("");
  const first = (await status()).lastLook!;
  expect(first.found.new).toBe(first.seen);

  await page.goto(`${app.url}/watch`);
  const panel = page.getByTestId("watcher-panel");
  await expect(panel.getByRole("heading", { name: "Watcher" })).toBeVisible();
  await expect(panel.getByTestId("watch-leader")).toHaveText((await status()).leader!.owner);
  await expect(panel.getByTestId("watch-seen")).toHaveText(String(first.seen));
  await expect(panel.getByTestId("watch-calls")).toHaveText(/^\d+$/);
  // Quiet looks follow (nothing new, nothing changed): the panel refreshes itself to show one.
  await expect(panel.getByTestId("watch-found")).toHaveText("new 0, changed 0, stale 0, transitional 0", {
    timeout: 30_000,
  });
  const calls = Number(await panel.getByTestId("watch-calls").textContent());
  expect(calls).toBeGreaterThan(0);
  expect(calls).toBeLessThan(20);
  await expect(panel.getByText("Nothing needed a probe")).toBeVisible();

  // The watcher's scan is stored like any other, listed as started by the watcher.
  const scan = (await (await fetch(`${app.url}/api/scans/${first.scanId}`)).json()) as { scan: { actor: string } };
  expect(scan.scan.actor).toBe("watcher");
  await page.getByRole("link", { name: "Watch" }).first().click();
  await expect(page).toHaveURL(/\/watch$/);
  await expectAccessible(page, "the Watch page");
  expect(consoleErrors).toEqual([]);
});
