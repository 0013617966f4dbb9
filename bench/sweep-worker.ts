/**
 * One side of the sweep benchmark (bench/sweep.ts) in its own process, so its peak RSS is its own: `sweep` runs
 * startSweep over every fleet of the fleets file (FLEET_DOCTOR_FLEETS); `single` scans the one fleet BENCH_FLEET
 * alone with runScan and that fleet's own clients, as a single-fleet scan always ran. Prints one JSON line.
 */
import { fleetOf } from "../lib/aws/fleet.ts";
import { config } from "../lib/config.ts";
import { clientsForFleet } from "../lib/fleets/clients-for-fleet.ts";
import { listFleets } from "../lib/fleets/list-fleets.ts";
import { runScan } from "../lib/scan/run-scan.ts";
import { selectFleets } from "../lib/scan/select-fleets.ts";
import { startSweep } from "../lib/scan/start-sweep.ts";
import { openConfiguredStore } from "../lib/store/index.ts";

const kind = process.argv[2];
const cfg = config();
const store = openConfiguredStore(cfg);
let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 250);
const view = await listFleets(cfg);
const started = performance.now();
const fleets: { fleet: string; status: string; instances: number; wallMs: number; error?: string }[] = [];

if (kind === "sweep") {
  const answer = await startSweep(selectFleets(view, "all"), { kind: "all" }, { store, config: cfg, actor: "bench" });
  const sweep = await answer.done;
  for (const f of sweep.fleets) {
    const scan = f.scanId ? await store.getScan(f.scanId) : undefined;
    fleets.push({
      fleet: f.fleet,
      status: scan?.status ?? "error",
      instances: scan?.done ?? 0,
      wallMs: scan?.finishedAt ? Date.parse(scan.finishedAt) - Date.parse(scan.startedAt) : 0,
      ...(f.error ? { error: `${f.error.code}: ${f.error.message}` } : {}),
    });
  }
} else {
  const target = view.targets.find((t) => t.id === process.env.BENCH_FLEET);
  if (!target) throw new Error(`BENCH_FLEET ${process.env.BENCH_FLEET} is not in the fleets file`);
  const t0 = performance.now();
  let status = "";
  let instances = 0;
  for await (const e of runScan(
    { kind: "all" },
    { clients: clientsForFleet(target, cfg), store, config: cfg, fleet: fleetOf(target.account, target.region, "sts") },
  )) {
    if (e.type === "instance") instances++;
    if (e.type === "scan-finished") status = e.status;
  }
  fleets.push({ fleet: target.id, status, instances, wallMs: Math.round(performance.now() - t0) });
}

const wallMs = Math.round(performance.now() - started);
clearInterval(sampler);
await store.close();
const usage = process.resourceUsage();
const maxRss = Math.max(peakRss, usage.maxRSS * 1024);
console.log(
  JSON.stringify({
    wallMs,
    cpuMs: Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000),
    maxRssMB: maxRss / 1024 / 1024,
    instances: fleets.reduce((n, f) => n + f.instances, 0),
    fleets,
  }),
);
process.exit(0);
