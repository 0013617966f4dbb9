import { createAlertSink } from "../../lib/alerts/create-alert-sink.ts";
import { autopilotAfterScan } from "../../lib/autopilot/after-watcher-scan.ts";
import { config } from "../../lib/config.ts";
import { FleetDoctorError } from "../../lib/errors.ts";
import { clientsForFleet } from "../../lib/fleets/clients-for-fleet.ts";
import { listFleets } from "../../lib/fleets/list-fleets.ts";
import type { FleetTarget } from "../../lib/fleets/types.ts";
import { runAsLeader } from "../../lib/leader.ts";
import { openConfiguredStore } from "../../lib/store/index.ts";
import { WATCHER_ACTOR } from "../../lib/watch/probe.ts";
import { watchContext } from "../../lib/watch/watch-context.ts";
import { WATCHER, type WatchTurn } from "../../lib/watch/watch-fleet.ts";
import { watchFleets } from "../../lib/watch/watch-fleets.ts";
import type { Command } from "../cli.ts";
import { commandFlags, numberFlag } from "../flags.ts";

const USAGE = `Usage: fleet-doctor watch [--interval SECONDS] [--stale SECONDS] [--json]

Watches the fleet in the foreground until Ctrl-C: every interval a look at what changed (calls that each cover many
instances), a probe scan of the instances that are new, changed or stale, stored like any scan in FLEET_DOCTOR_DB
(or FLEET_DOCTOR_DATABASE_URL), and full scans on FLEET_DOCTOR_FULL_SCAN_CRON. It contends for the same leader lease
as the servers' watchers on that store: while another leads, it waits, and takes over when that one stops.
Prints one line per look (seen, probed by reason, verdicts, calls, behind); --json prints each turn as JSON.

  --interval SECONDS  seconds between two looks (1..3600; default FLEET_DOCTOR_WATCH_INTERVAL, 30)
  --stale SECONDS     a result older than this is probed again (60..604800; default FLEET_DOCTOR_WATCH_STALE)`;

/** One line per turn, for a terminal. */
export function turnLine(turn: WatchTurn): string {
  const t = `${new Date().toISOString().slice(11, 19)}${turn.fleet ? ` ${turn.fleet}` : ""}`;
  if (turn.kind === "behind") {
    return `${t} behind since ${turn.state.behind?.since.slice(11, 19)}: ${turn.error}; retry at ${turn.state.behind?.retryAt.slice(11, 19)}`;
  }
  if (turn.kind === "full-scan") {
    const o = turn.outcome;
    return o.kind === "skipped"
      ? `${t} full scan skipped: ${o.reason}`
      : `${t} full scan ${o.scanId} ${o.status}: ${verdicts(o.verdicts)}`;
  }
  const l = turn.look;
  const f = l.found;
  const probed = f.new + f.changed + f.stale + (f.transitional ?? 0);
  const parts = [
    `${t} seen ${l.seen}`,
    `probed ${probed} (new ${f.new}, changed ${f.changed}, stale ${f.stale}, transitional ${f.transitional ?? 0})`,
  ];
  if (l.skipped) parts.push(`probe skipped: ${l.skipped.reason}`);
  if (l.scanId) parts.push(`scan ${l.scanId}: ${verdicts(l.verdicts ?? {})}`);
  parts.push(`calls ${l.calls}`);
  parts.push(turn.state.behind ? `behind since ${turn.state.behind.since}` : "not behind");
  return parts.join(" | ");
}

const verdicts = (v: Record<string, number>) =>
  Object.entries(v)
    .map(([k, n]) => `${k} ${n}`)
    .join(", ") || "none";

export async function run(argv: string[]): Promise<number> {
  const flags = commandFlags(argv, { interval: { type: "string" }, stale: { type: "string" } }, USAGE);
  if (!flags) return 0;
  const { values } = flags;
  let interval: number | undefined;
  let stale: number | undefined;
  try {
    interval = numberFlag("interval", values.interval, (n) => Number.isInteger(n) && n >= 1 && n <= 3600);
  } catch (e) {
    throw new FleetDoctorError("BAD_REQUEST", `${(e as Error).message}: a whole number of seconds, 1..3600`);
  }
  try {
    stale = numberFlag("stale", values.stale, (n) => Number.isInteger(n) && n >= 60 && n <= 604_800);
  } catch (e) {
    throw new FleetDoctorError("BAD_REQUEST", `${(e as Error).message}: a whole number of seconds, 60..604800`);
  }
  const c = config();
  const store = openConfiguredStore(c);
  const alerts = createAlertSink({ store, webhooks: c.webhooks });
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  // The store's timers never keep a process alive on their own: the watcher in the foreground does.
  const alive = setInterval(() => {}, 60_000);
  try {
    const watch = {
      ...c.watch,
      ...(interval !== undefined ? { intervalSeconds: interval } : {}),
      ...(stale !== undefined ? { staleSeconds: stale } : {}),
    };
    // Every fleet (the fleets file's, or the default credentials' one), each with its own clients.
    const view = await listFleets(c);
    const contextFor = (t: FleetTarget) =>
      watchContext(
        store,
        c,
        watch,
        view.source === "default"
          ? undefined
          : { region: t.region, clients: clientsForFleet(t, c, { user: WATCHER_ACTOR }) },
      );
    const print = (turn: WatchTurn) =>
      console.log(
        values.json ? JSON.stringify({ ...turn, state: undefined, behind: turn.state.behind }) : turnLine(turn),
      );
    console.error(`fleet-doctor watch: contending for the watcher's lead as ${store.owner} (Ctrl-C stops)`);
    await runAsLeader(
      store,
      WATCHER,
      async (signal) => {
        console.error(
          `fleet-doctor watch: leading (every ${watch.intervalSeconds} s, ${view.targets.length} fleet(s)${view.errors.length ? `, ${view.errors.length} unreachable: ${view.errors.map((e) => `${e.fleet} ${e.code}`).join(", ")}` : ""})`,
        );
        await watchFleets(
          view,
          { store, config: watch, contextFor },
          { signal, onTurn: print, afterScan: autopilotAfterScan(store, c, alerts) },
        );
      },
      { signal: stop.signal },
    );
    // Retries of alerts still under way end (delivered or failed, logged) before the store closes.
    await alerts.settled();
    return 0;
  } finally {
    clearInterval(alive);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await store.close();
  }
}

export default { run } satisfies Command;
