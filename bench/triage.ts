/**
 * `npm run bench -- triage`: the on-call job on the demo fleet, in Chromium. Starts the fleet simulator (scenario
 * `demo`, real bash per host) and the production build on a fresh database, scans the fleet once through the API
 * (the state an engineer finds after a scan), then opens the overview and does what a person does: restart every
 * fixable instance and wait until the overview says they are verified healthy. Prints the clicks it took and the
 * seconds from opening the overview to that answer. Needs a build (`npm run build`). Asserts nothing.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "@playwright/test";
import { chromiumPath, simulatorEnv, startNext } from "../bin/servers.ts";
import { startSimulator } from "../sim/main.ts";

async function scanFleet(url: string): Promise<void> {
  const res = await fetch(`${url}/api/scans`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: url },
    body: JSON.stringify({ targets: { kind: "all" } }),
  });
  const { scanId } = (await res.json()) as { scanId: string };
  for (;;) {
    const scan = (await (await fetch(`${url}/api/scans/${scanId}`)).json()) as { scan: { status: string } };
    if (scan.scan.status !== "running") return;
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function run(_argv: string[]) {
  const dir = mkdtempSync(path.join(tmpdir(), "fleet-doctor-bench-triage-"));
  const sim = await startSimulator({ scenario: "demo" });
  const app = await startNext({
    FLEET_DOCTOR_DB: path.join(dir, "triage.db"),
    ...simulatorEnv(sim.url),
  });
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: ["--headless", "--no-sandbox"] });
  try {
    await scanFleet(app.url);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    let clicks = 0;
    const click = async (testId: string) => {
      await page.getByTestId(testId).click();
      clicks++;
    };
    const t0 = Date.now();
    await page.goto(app.url);
    const fixable = Number(await page.getByTestId("fixable-count").getByRole("link").first().textContent());
    await click("restart-fixable");
    await click("confirm-restart-fixable");
    const result = page.getByTestId("restart-fixable-result");
    await result.waitFor({ timeout: 600_000 });
    const seconds = (Date.now() - t0) / 1000;
    const header = (await result.locator("h2, [class*=header]").first().textContent()) ?? "";
    await page.getByTestId("fixable-count").getByRole("link").first().getByText("0", { exact: true }).waitFor();
    const after = Number(await page.getByTestId("fixable-count").getByRole("link").first().textContent());
    console.log(`triage: ${fixable} fixable instances on the demo fleet`);
    console.log(`triage: ${clicks} clicks, ${seconds.toFixed(1)} s from opening the overview to "${header.trim()}"`);
    console.log(`triage: fixable count on the overview afterwards: ${after}`);
  } finally {
    await browser.close();
    await app.stop();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
