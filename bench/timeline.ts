/**
 * `npm run bench -- timeline [instances] [results-per-instance]`: the overview's timeline query on SQLite. Fills a
 * fresh store with `instances` (default 10,000) instances, each probed `results-per-instance` times (default 8) over
 * the last 24 hours with verdicts that flip between failing and healthy, then runs the query (the last 24 hours,
 * one fleet) 7 times and prints the median and the slowest, with the counts it returned. Asserts nothing.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { failuresTimeline } from "../lib/alerts/failures-timeline.ts";
import type { Verdict } from "../lib/diagnosis/types.ts";
import type { InstanceResult } from "../lib/scan/types.ts";
import { openStore } from "../lib/store/store.ts";

const FLEET = "123456789012/us-east-1";

export async function run(argv: string[]) {
  const instances = Number(argv[0] ?? 10_000);
  const perInstance = Number(argv[1] ?? 8);
  const dir = mkdtempSync(path.join(tmpdir(), "fleet-doctor-bench-timeline-"));
  const store = openStore(path.join(dir, "timeline.db"));
  try {
    const now = Date.now();
    for (let k = 0; k < perInstance; k++) {
      const scan = await store.createScan({ targets: { kind: "all" } });
      await store.recordScanFleet(scan.id, FLEET);
      const probedAt = new Date(now - (perInstance - k) * ((24 * 3_600_000) / (perInstance + 1))).toISOString();
      const items = Array.from({ length: instances }, (_, i) => {
        // One instance in five flips each time; the others stay as they were.
        const verdict: Verdict = i % 5 === 0 && k % 2 === 1 ? "lifecycle-404:ready" : "healthy";
        const instanceId = `i-${i.toString(16).padStart(17, "0")}`;
        const result: InstanceResult = {
          scanId: scan.id,
          instanceId,
          target: { instanceId, pingStatus: "Online" },
          outcome: { status: "Success", output: "{}", truncated: false, responseCode: 0 },
          diagnosis: { verdict, summary: verdict, evidence: [], remedies: [], restartWillWork: false },
          verdict,
          probedAt,
        };
        return { result, rawOutput: "{}" };
      });
      await store.saveResults(items);
      await store.finishScan(scan.id, "completed");
    }
    const times: number[] = [];
    let last = { found: 0, healed: 0 };
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      const { buckets } = await failuresTimeline(store, { fleet: FLEET });
      times.push(performance.now() - t0);
      last = buckets.reduce((a, b) => ({ found: a.found + b.found, healed: a.healed + b.healed }), {
        found: 0,
        healed: 0,
      });
    }
    times.sort((a, b) => a - b);
    console.log(
      `timeline (SQLite): ${instances} instances x ${perInstance} results = ${instances * perInstance} results in 24 h; ` +
        `query median ${times[3]!.toFixed(1)} ms, slowest ${times[6]!.toFixed(1)} ms; found ${last.found}, healed ${last.healed}`,
    );
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
