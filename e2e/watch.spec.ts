import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Server, simulatorEnv, startNext } from "../bin/servers.ts";
import { expect, expectAccessible, screenshot, simUrl, test } from "./fixtures.ts";

/*
 * The Watch page on a server of its own with the watcher on (the shared test server has it off) and a 2 s interval,
 * over the shared simulator and a throw-away SQLite file: the page shows the leader, what the last look saw and
 * probed, and links the probe scan, which the watcher ran as `watcher`.
 */
test.describe.configure({ mode: "serial" });

type WatchStatusBody = {
  leader: { owner: string } | null;
  lastLook?: {
    seen: number;
    calls: number;
    full?: boolean;
    scanId?: string;
    verdicts?: Record<string, number>;
    found: { new: number };
  };
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
  test.setTimeout(240_000);
  // The first look found every instance new and probed them all in one scan, run as the watcher.
  // (Real bash probes of the demo fleet on a shared machine: the first look's scan may take a minute or two.)
  type ScanBody = { id: string; actor?: string; total?: number; status: string };
  const listScans = async () => ((await (await fetch(`${app.url}/api/scans`)).json()) as { scans: ScanBody[] }).scans;
  let scans: ScanBody[] = [];
  for (const end = Date.now() + 150_000; !(scans.length > 0 && scans.at(-1)!.status !== "running"); ) {
    if (Date.now() > end) throw new Error(`no probe scan yet: ${JSON.stringify(scans)}`);
    await new Promise((r) => setTimeout(r, 500));
    scans = await listScans();
  }
  // The first look is a full one (every managed instance, every group's member): its probe scan covered every
  // host of the simulator's fleet.
  const { hosts } = (await (await fetch(`${simUrl()}/_sim/health`)).json()) as { hosts: number };
  expect(scans.every((x) => x.actor === "watcher")).toBe(true);
  expect(scans.at(-1)!.total).toBe(hosts);
  const seen = (await status()).lastLook!.seen;

  await page.goto(`${app.url}/watch`);
  const panel = page.getByTestId("watcher-panel");
  await expect(panel.getByRole("heading", { name: "Watcher" })).toBeVisible();
  await expect(panel.getByTestId("watch-leader")).toHaveText((await status()).leader!.owner);
  // (The panel shows the latest look: a quick one sees the groups' members and the offline instances only.)
  await expect(panel.getByTestId("watch-seen")).toHaveText(/^\d+$/);
  await expect(panel.getByTestId("watch-calls")).toHaveText(/^\d+$/);
  // Later looks find nothing new (they re-probe only what changed or is transitional): the panel refreshes to them.
  await expect(panel.getByTestId("watch-found")).toHaveText(/^new 0, changed \d+, stale 0, transitional \d+$/, {
    timeout: 30_000,
  });
  const calls = Number(await panel.getByTestId("watch-calls").textContent());
  expect(calls).toBeGreaterThan(0);
  expect(calls).toBeLessThan(20);
  console.log(`watch page: ${seen} instances seen, ${calls} AWS calls in a look`);
  await expect(
    panel
      .getByText("Nothing needed a probe")
      .or(panel.getByRole("link", { name: /^[0-9a-f-]{36}$/ }))
      .first(),
  ).toBeVisible();
  await expect(panel.getByText("Off")).toBeVisible(); // full scans: FLEET_DOCTOR_FULL_SCAN_CRON=off

  await page.getByRole("link", { name: "Watch" }).first().click();
  await expect(page).toHaveURL(/\/watch$/);
  await expectAccessible(page, "the Watch page");
  await screenshot(page, "watch");
  expect(consoleErrors).toEqual([]);
});
