import AxeBuilder from "@axe-core/playwright";
import { type APIRequestContext, test as base, expect, type Page } from "@playwright/test";
import type { Verdict } from "../lib/diagnosis/types.ts";

/** The simulator global-setup started (its control API lives under /_sim/). */
export function simUrl(): string {
  const url = process.env.FLEET_DOCTOR_SIM_URL;
  if (!url) throw new Error("FLEET_DOCTOR_SIM_URL is not set: e2e/global-setup.ts starts the simulator.");
  return url;
}

export type SimHost = { instanceId: string; expect?: Verdict; ssm?: { pingStatus?: string } };

export async function simHosts(request: APIRequestContext): Promise<SimHost[]> {
  const res = await request.get(`${simUrl()}/_sim/hosts`);
  expect(res.ok()).toBe(true);
  return ((await res.json()) as { hosts: SimHost[] }).hosts;
}

/** How many hosts the loaded scenario expects in each verdict. */
export function expectedCounts(hosts: SimHost[]): Partial<Record<Verdict, number>> {
  const counts: Partial<Record<Verdict, number>> = {};
  for (const h of hosts) if (h.expect) counts[h.expect] = (counts[h.expect] ?? 0) + 1;
  return counts;
}

export async function loadScenario(request: APIRequestContext, body: Record<string, unknown>) {
  const res = await request.post(`${simUrl()}/_sim/scenario`, { data: body });
  expect(res.ok(), await res.text()).toBe(true);
}

export async function setFaults(request: APIRequestContext, faults: Record<string, unknown>) {
  const res = await request.post(`${simUrl()}/_sim/faults`, { data: faults });
  expect(res.ok(), await res.text()).toBe(true);
}

/** Starts a scan through the API as the page would (same-origin POST) and returns its id. */
export async function startScan(request: APIRequestContext, baseURL: string, targets: unknown = { kind: "all" }) {
  const res = await request.post(`${baseURL}/api/scans`, { data: { targets }, headers: { origin: baseURL } });
  const body = (await res.json()) as { scanId?: string; error?: { details?: { scanId?: string } } };
  const id = body.scanId ?? body.error?.details?.scanId;
  expect(id, JSON.stringify(body)).toBeTruthy();
  return id!;
}

/** Waits on the scan's stored status (the server's record), never on a fixed delay. */
export async function waitForScan(request: APIRequestContext, baseURL: string, scanId: string) {
  await expect
    .poll(
      async () => {
        const res = await request.get(`${baseURL}/api/scans/${scanId}`);
        return ((await res.json()) as { scan: { status: string } }).scan.status;
      },
      { timeout: 120_000, intervals: [500, 1000] },
    )
    .not.toBe("running");
}

/** Fails on serious or critical accessibility violations, naming each rule and where it fired. */
export async function expectAccessible(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const bad = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} at ${v.nodes
          .map((n) => n.target.join(" "))
          .slice(0, 3)
          .join(", ")}`,
    );
  expect(bad, `axe on ${what}`).toEqual([]);
}

/** The overview paints before its scripts run; its scan button is enabled once they have (and links route in-app). */
export async function overviewReady(page: Page) {
  await expect(page.getByRole("button", { name: "Scan fleet" })).toBeEnabled();
}

/**
 * Waits until the instances table has every row: the server renders the URL's page at once, and the filter, sorting,
 * paging and selection are enabled once the browser has fetched every row (and so has run the page's scripts).
 */
export async function tableReady(page: Page) {
  await expect(page.getByRole("combobox", { name: "Filter instances" })).toBeEnabled({ timeout: 15_000 });
}

/**
 * How far a table scrolls sideways, in px (0: every visible column fits), and how far the page does. Cloudscape puts
 * a table in a wrapper that scrolls horizontally when its columns are wider than the content area, so the table's
 * own width never shows it: compare what the wrapper holds with what it shows. A sticky header is a second table of
 * the same name: the widest of them counts.
 */
export async function sidewaysScroll(page: Page, table: string): Promise<{ table: number; page: number }> {
  const tables = page.getByRole("table", { name: table });
  await expect(tables.first()).toBeVisible();
  const overflow = await tables.evaluateAll((all) =>
    Math.max(
      ...all.map((t) => {
        let box: HTMLElement | null = t.parentElement;
        while (box && !/auto|scroll/.test(getComputedStyle(box).overflowX)) box = box.parentElement;
        return box ? box.scrollWidth - box.clientWidth : 0;
      }),
    ),
  );
  const pageOverflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  return { table: overflow, page: pageOverflow };
}

/**
 * The whole page, as a person would see it on a screen that tall. A full-page capture would draw the fixed header and
 * navigation where the viewport ended, in the middle of a long page; a viewport the page's height lays them out on top.
 */
export async function screenshot(page: Page, name: string) {
  const viewport = page.viewportSize();
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  if (viewport) await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, height) });
  await page.evaluate(() => {
    window.scrollTo(0, 0);
    return new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  });
  await page.screenshot({ path: `test-results/screenshots/${name}.png` });
  if (viewport) await page.setViewportSize(viewport);
}

/** A page that records console errors and uncaught exceptions so a test can assert there were none. */
export const test = base.extend<{ consoleErrors: string[] }>({
  consoleErrors: async ({ page }, use) => {
    const errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(`${m.text()} @ ${m.location().url}`);
    });
    page.on("pageerror", (e) => errors.push(e.message));
    await use(errors);
  },
});

export { expect };
