/**
 * `npm run bench -- ui`: the dashboard with 10,000 instances. Seeds a fresh database through the store API (one
 * scan, 10,000 results with a realistic spread of verdicts, groups and agent versions), starts the production
 * build on it, and drives Chromium. Times are from the start of each navigation (the page's own clock):
 *   - table on a first visit (nothing cached, in a browser that is already running): when its first row is painted;
 *   - overview: time until the counts are on screen; then a click on its fixable count (an in-app navigation) until
 *     the table's first row is painted;
 *   - table on a returning visit (scripts and styles cached, as they are after any page of the app): first row
 *     painted, every row loaded (the filter enabled), and time to interactive (first row, then the end of the last
 *     long task followed by a second of quiet, as Lighthouse counts it);
 *   - filter: the worst keystroke latency while typing in the property filter (Event Timing API: from the key press
 *     to the next paint), and how long applying a filter token over all 10,000 rows takes.
 * Options: --instances N (default 10000), --runs N (default 5). Needs a build (`NEXT_DIST_DIR` honoured).
 * Prints figures; asserts nothing.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import { chromium, type Page } from "@playwright/test";
import { chromiumPath, startNext } from "../bin/servers.ts";
import { DEFAULT_PAGE_SIZE } from "../components/instances/table-model.ts";
import type { Verdict } from "../lib/diagnosis/catalogue.ts";
import type { Diagnosis } from "../lib/diagnosis/types.ts";
import type { InstanceResult } from "../lib/scan/types.ts";
import { openStore } from "../lib/store/index.ts";

/** A realistic share per verdict (the catalogue's ids, typed); verdicts left out are not seeded, `unknown` is the rest. */
const SPREAD: Partial<Record<Verdict, number>> = {
  healthy: 0.62,
  "lifecycle-404:ready": 0.1,
  "lifecycle-404:blocked": 0.06,
  "lifecycle-404:warmed": 0.04,
  waiting: 0.05,
  "at-risk": 0.05,
  "agent-failed": 0.03,
  "imds-unreachable": 0.01,
  "ssm-unreachable": 0.02,
  "probe-failed": 0.02,
};
const GROUPS = ["web", "api", "batch", "workers", "ingest", "search", "cache", "ml", undefined];
const VERSIONS = ["1.89.3", "1.90.0", "1.91.0", "1.91.1", "1.93.1", "1.100.0", "1.110.0"];

function pick<T>(i: number, items: readonly T[]): T {
  return items[(i * 2654435761) % items.length]!;
}

function verdictFor(i: number): Verdict {
  const x = ((i * 7919) % 10_000) / 10_000;
  let acc = 0;
  for (const [v, share] of Object.entries(SPREAD) as [Verdict, number][]) {
    acc += share;
    if (x < acc) return v;
  }
  return "unknown";
}

export function seed(dbPath: string, n: number) {
  const store = openStore(dbPath);
  const scan = store.createScan({ targets: { kind: "all" }, actor: "bench" });
  const at = new Date().toISOString();
  store.transaction(() => {
    for (let i = 0; i < n; i++) {
      const instanceId = `i-${(0x1000000000000 + i * 7).toString(16).padStart(17, "0")}`;
      const verdict = verdictFor(i);
      const group = pick(i, GROUPS);
      const line = `level=critical time=${at} msg="Could not determine target lifecycle of instance: operation error ec2imds: GetMetadata, http response error StatusCode: 404, request to EC2 IMDS failed" module=agent.go`;
      const diagnosis: Diagnosis = {
        verdict,
        summary: `Synthetic ${verdict} instance ${i} for the dashboard benchmark.`,
        evidence: [
          {
            label: "Last lifecycle failure",
            value: line,
            match: [line.indexOf("Could"), line.indexOf(", request")],
            source: { kind: "log", file: "ecs-agent.log", line: 42, time: at },
          },
        ],
        remedies: [],
        restartWillWork: verdict === "lifecycle-404:ready",
      };
      const result: InstanceResult = {
        scanId: scan.id,
        instanceId,
        target: {
          instanceId,
          pingStatus: verdict === "ssm-unreachable" ? "ConnectionLost" : "Online",
          group,
          lifecycleState: group ? (verdict === "lifecycle-404:warmed" ? "Warmed:Running" : "InService") : undefined,
        },
        outcome: { status: "Success", output: "{}", truncated: false },
        diagnosis,
        verdict,
        agentVersion: pick(i + 3, VERSIONS),
        probedAt: at,
      };
      store.saveResult(result, "{}");
    }
  });
  store.finishScan(scan.id, "completed");
  store.close();
}

/**
 * Recorded in every page from its first byte: long tasks, keyboard event timings, and when the first visible table
 * row was painted. The row is looked for inside animation frames, which only run once render-blocking styles are in,
 * and where style and layout are computed anyway: checking visibility from the mutation observer itself would force
 * layouts while styles are still arriving and slow the very load being measured. "Painted" is the end of that frame
 * (a task queued from its callback runs after the frame's style, layout and paint), not its start.
 */
const OBSERVE = `
  window.__bench = { longTasks: [], events: [], rowPainted: 0 };
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__bench.longTasks.push({ start: e.startTime, end: e.startTime + e.duration }); })
    .observe({ type: "longtask", buffered: true });
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__bench.events.push({ name: e.name, duration: e.duration, start: e.startTime, interaction: e.interactionId }); })
    .observe({ type: "event", durationThreshold: 16, buffered: true });
  window.__watchRow = () => {
    window.__bench.rowPainted = 0;
    const frame = () => requestAnimationFrame(() => {
      // Visible, not merely present: streamed content can sit in a hidden element until it is revealed.
      const row = document.querySelector("table tbody tr");
      if (!row || !row.checkVisibility()) return frame();
      setTimeout(() => { window.__bench.rowPainted = performance.now(); });
    });
    const rows = new MutationObserver(() => {
      if (!document.querySelector("table tbody tr")) return;
      rows.disconnect();
      frame();
    });
    rows.observe(document, { subtree: true, childList: true });
  };
  window.__watchRow();
`;

type Observed = {
  longTasks: { start: number; end: number }[];
  events: { name: string; duration: number; start: number; interaction: number }[];
  rowPainted: number;
};
const observed = (page: Page) => page.evaluate(() => (window as unknown as { __bench: Observed }).__bench);

function tti(firstRow: number, longTasks: { start: number; end: number }[]): number {
  let t = firstRow;
  for (const task of [...longTasks].sort((a, b) => a.start - b.start)) {
    if (task.start > t + 1000) break;
    t = Math.max(t, task.end);
  }
  return t;
}

/** Resolves once the CPUs were less than a quarter busy over a 200 ms window (or after 5 s). */
async function quiet() {
  const cpuTimes = () => {
    let idle = 0;
    let total = 0;
    for (const { times } of cpus()) {
      idle += times.idle;
      total += times.user + times.nice + times.sys + times.idle + times.irq;
    }
    return { idle, total };
  };
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const a = cpuTimes();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const b = cpuTimes();
    if (1 - (b.idle - a.idle) / (b.total - a.total) < 0.25) return;
  }
}

const ms = (x: number) => `${Math.round(x)} ms`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(argv: string[]) {
  const arg = (name: string, fallback: number) => {
    const i = argv.indexOf(name);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  const n = arg("--instances", 10_000);
  const runs = arg("--runs", 5);
  const dir = mkdtempSync(path.join(tmpdir(), "fleet-doctor-bench-ui-"));
  const dbPath = path.join(dir, "bench.db");
  const t0 = Date.now();
  seed(dbPath, n);
  console.log(`ui: seeded ${n} instances in ${Date.now() - t0} ms (${dbPath})`);

  const app = await startNext({
    FLEET_DOCTOR_DB: dbPath,
    AWS_REGION: "us-east-1",
    AWS_ENDPOINT_URL: "http://127.0.0.1:9",
    AWS_ACCESS_KEY_ID: "bench",
    AWS_SECRET_ACCESS_KEY: "bench",
  });
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  const figures = {
    coldRow: [] as number[],
    overview: [] as number[],
    viaLink: [] as number[],
    firstRow: [] as number[],
    ready: [] as number[],
    tti: [] as number[],
    key: [] as number[],
    firstKey: [] as number[],
    laterKeys: [] as number[],
    keysSeen: 0,
    apply: [] as number[],
    html: 0,
    rowsJson: 0,
  };
  /** Loads the table and returns when its first row was painted and when every row had arrived (the filter is enabled). */
  const loadTable = async (page: Page) => {
    const response = await page.goto(`${app.url}/instances`, { waitUntil: "commit" });
    await page.getByRole("combobox", { name: "Filter instances" }).and(page.locator(":enabled")).waitFor();
    const ready = await page.evaluate(() => performance.now());
    await page.waitForFunction(() => (window as unknown as { __bench: Observed }).__bench.rowPainted > 0);
    figures.html = Math.max(figures.html, (await response?.body())?.length ?? 0);
    return { painted: (await observed(page)).rowPainted, ready };
  };
  try {
    // One warm-up load so the server's first-request compilation of routes is not counted.
    const warm = await browser.newPage();
    await warm.goto(`${app.url}/instances`);
    const rowsResponse = await warm.request.get(`${app.url}/api/instances/table`);
    figures.rowsJson = (await rowsResponse.body()).length;
    await warm.close();

    for (let r = 0; r < runs; r++) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      await context.addInitScript(OBSERVE);
      const page = await context.newPage();
      // The first page of a new browser context makes Chrome start a renderer for its own UI (`--top-chrome-webui`):
      // about a second of a core here, half of this machine, while the page loads. A person's running browser did
      // that long before they open the link, so the first visit waits for the machine to be quiet; its cache is
      // still empty.
      await quiet();

      // First visit: nothing cached (every script and style is fetched).
      figures.coldRow.push((await loadTable(page)).painted);

      await page.goto(`${app.url}/`, { waitUntil: "commit" });
      await page.getByTestId("fixable-count").waitFor();
      figures.overview.push(await page.evaluate(() => performance.now()));

      // The way a person gets to the table: from the overview's fixable count (an in-app navigation).
      await page.getByRole("button", { name: "Scan fleet" }).and(page.locator(":enabled")).waitFor();
      const clickAt = await page.evaluate(() => {
        (window as unknown as { __watchRow: () => void }).__watchRow();
        return performance.now();
      });
      await page.getByTestId("fixable-count").getByRole("link").click();
      await page.waitForFunction(() => (window as unknown as { __bench: Observed }).__bench.rowPainted > 0);
      figures.viaLink.push((await observed(page)).rowPainted - clickAt);

      // A returning visit: scripts and styles cached (they are immutable), the page and its rows are not.
      const { painted, ready } = await loadTable(page);
      figures.firstRow.push(painted);
      figures.ready.push(ready);
      await page.waitForTimeout(2500);
      figures.tti.push(tti(painted, (await observed(page)).longTasks));

      // Type into the property filter one key at a time, as a person would.
      const input = page.getByRole("combobox", { name: "Filter instances" });
      await input.click();
      // A person's first key comes a moment after the click, not within the click's own frame.
      await page.waitForTimeout(300);
      const before = (await observed(page)).events.length;
      await input.pressSequentially("Agent version = 1.89", { delay: 120 });
      await page.waitForTimeout(500);
      // One latency per keystroke (its events share an interaction id): the first, which opens the suggestions
      // for the typed text, is reported apart from the rest.
      const perKey = new Map<number, number>();
      for (const e of (await observed(page)).events.slice(before)) {
        if (!e.interaction || !/key|input/.test(e.name)) continue;
        perKey.set(e.interaction, Math.max(perKey.get(e.interaction) ?? 0, e.duration));
      }
      const latencies = [...perKey.entries()].sort((a, b) => a[0] - b[0]).map(([, d]) => d);
      figures.key.push(Math.max(0, ...latencies));
      figures.firstKey.push(latencies[0] ?? 0);
      figures.laterKeys.push(Math.max(0, ...latencies.slice(1)));
      figures.keysSeen = latencies.length;

      // Apply a free-text token over every row and wait for the table to show the result.
      await input.fill("i-0001");
      const start = Date.now();
      await input.press("Enter");
      await page.waitForURL(/q=i-0001/);
      figures.apply.push(Date.now() - start);
      await context.close();
    }
  } finally {
    await browser.close();
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const line = (label: string, xs: number[]) =>
    console.log(`  ${label.padEnd(42)}${ms(median(xs))}; ${ms(Math.max(...xs))}`);
  console.log(
    `ui: ${n} instances, ${DEFAULT_PAGE_SIZE} rows a page, ${runs} runs (median; worst), times from the start of navigation`,
  );
  line("table: first row painted, first visit", figures.coldRow);
  line("overview: counts on screen", figures.overview);
  line("table from the overview's link: first row", figures.viaLink);
  line("table: first row painted", figures.firstRow);
  line("table: every row loaded (filter enabled)", figures.ready);
  line("table: time to interactive", figures.tti);
  line(`filter: worst keystroke (${figures.keysSeen} over 16 ms)`, figures.key);
  line("filter: first keystroke", figures.firstKey);
  line("filter: worst of the other keystrokes", figures.laterKeys);
  line("filter: apply a token to every row", figures.apply);
  console.log(`  /instances HTML                           ${(figures.html / 1024).toFixed(0)} KiB`);
  console.log(`  /api/instances/table (uncompressed)       ${(figures.rowsJson / 1024).toFixed(0)} KiB`);
}
