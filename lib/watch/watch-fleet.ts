import { setTimeout as sleep } from "node:timers/promises";
import type { Clients } from "../aws/clients.ts";
import { errorName, isThrottling } from "../aws/errors.ts";
import type { Fleet } from "../aws/fleet.ts";
import type { Config } from "../config.ts";
import { FleetDoctorError, isFleetDoctorError } from "../errors.ts";
import type { FleetTarget } from "../fleets/types.ts";
import type { ScanContext } from "../scan/run-scan.ts";
import type { Store, StoredWatchState } from "../store/interfaces.ts";
import { backoffMs } from "./backoff.ts";
import { nextFullScan } from "./full-scan-schedule.ts";
import { look } from "./look.ts";
import { countReasons, type PlannedProbe, plan } from "./plan.ts";
import { type ProbeOutcome, probe } from "./probe.ts";
import type { WatchLook } from "./types.ts";

import { fleetWatcherName, WATCHER } from "./watcher-name.ts";

export { WATCHER };

/**
 * Called once each scan the watcher ran (a probe or a full scan) has ended, with its id, before the next look;
 * `signal` aborts when the watcher stops or loses the lead. Autopilot's review plugs in here. A throw is logged
 * and never stops the watcher.
 */
export type AfterScan = (scanId: string, signal: AbortSignal, fleet?: FleetTarget) => Promise<void>;

export type WatchContext = {
  store: Store;
  /**
   * The fleet watched, named (with several fleets; its scans name it too, in `scan.fleet`): its probes and plan are
   * that fleet's, and its state is stored under `watcher:<fleet>`. Absent: the one fleet, as before.
   */
  fleet?: Fleet;
  /** The look's clients: their calls are counted (count-calls.ts) and only the look's calls go through them. */
  clients: Clients;
  callCounter: { readonly total: number };
  /** What the probe and full scans run with (their own clients: their calls are not the look's). */
  scan: Omit<ScanContext, "scanId" | "signal" | "actor" | "store">;
  config: Config["watch"];
};

/** What happened in one turn of the loop, for a terminal to print (the CLI) or a test to follow. */
export type WatchTurn = (
  | { kind: "look"; look: WatchLook; planned: PlannedProbe[]; state: StoredWatchState }
  | { kind: "full-scan"; outcome: ProbeOutcome; state: StoredWatchState }
  | { kind: "behind"; error: string; waitMs: number; state: StoredWatchState }
) & {
  /** With several fleets, the fleet of this turn. */
  fleet?: string;
};

export type WatchOptions = {
  signal: AbortSignal;
  afterScan?: AfterScan;
  onTurn?: (turn: WatchTurn) => void;
  /** Backoff after failed looks: from `baseMs` (default 2 s), doubling, capped at `capMs` (default 5 min). */
  backoff?: { baseMs?: number; capMs?: number };
  /** A transitional verdict is probed again after this many intervals (plan.ts; default 3). */
  transitionalIntervals?: number;
  /**
   * Every this many looks, the first included, a full look (every managed instance, ECS); quick looks between. A
   * full look whose probe was skipped (a scan held the fleet) is taken again at the next look.
   */
  fullLookEvery?: number;
};

/** Quick looks cost a handful of calls; a full one, calls in proportion to the fleet: one in ten (5 min at 30 s). */
export const FULL_LOOK_EVERY = 10;

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The watcher's loop, run by the leader only (runAsLeader(store, "watcher", ...)): every interval a look, a plan
 * from the stored results, one probe scan of what the plan chose; a full scan when the cron schedule says. Its state
 * is stored after every turn, so every replica answers GET /api/watch. Failures (throttling, AWS errors, a probe
 * scan that failed) never end the loop: it backs off (exponential, jittered, capped) and says it is `behind` until a
 * look succeeds. Returns when `signal` aborts. Resumes from what is stored: a leader that died mid-probe left
 * instances without a fresh result, and the next leader's plan picks them up again.
 */
export async function watchFleet(ctx: WatchContext, opts: WatchOptions): Promise<void> {
  const { store, config } = ctx;
  const { signal } = opts;
  const name = ctx.fleet ? fleetWatcherName(ctx.fleet.id) : WATCHER;
  const before = await store.watchState(name);
  const state: StoredWatchState = {
    ...before,
    intervalSeconds: config.intervalSeconds,
    fullScan: { ...before?.fullScan, ...(config.fullScanCron ? { cron: config.fullScanCron } : {}) },
  };
  if (!config.fullScanCron) delete state.fullScan.cron;
  let nextFull: number | undefined;
  // The next full scan after now (a fire missed while a scan ran is not caught up: the next one covers it).
  const scheduleFull = () => {
    nextFull = nextFullScan(config.fullScanCron, new Date())?.getTime();
    if (nextFull !== undefined) state.fullScan.nextAt = iso(nextFull);
    else delete state.fullScan.nextAt;
  };
  scheduleFull();
  let failures = 0;
  // Quick looks since the last full look whose plan was carried out (a full look whose probe was skipped, the fleet
  // busy, is taken again: instances in no group are seen only by full looks).
  let quickLooks = 0;
  let fullDue = true;
  const save = async () => {
    await store.saveWatchState(name, state).catch((e: Error) => {
      console.error("[fleet-doctor] watcher: could not store its state:", e.message);
    });
  };
  const after = async (scanId: string) => {
    if (!opts.afterScan || signal.aborted) return;
    try {
      await opts.afterScan(scanId, signal);
    } catch (e) {
      console.error(`[fleet-doctor] watcher: afterScan(${scanId}) failed:`, (e as Error)?.message ?? e);
    }
  };
  const scanCtx = { ...ctx.scan, store };

  while (!signal.aborted) {
    const startedAt = Date.now();
    let wakeAt = startedAt + config.intervalSeconds * 1000;
    try {
      if (nextFull !== undefined && startedAt >= nextFull) {
        const outcome = await probe({ kind: "all" }, scanCtx, signal);
        scheduleFull();
        if (outcome.kind === "scanned") {
          state.fullScan = { ...state.fullScan, lastScanId: outcome.scanId, lastAt: iso(startedAt) };
          await after(outcome.scanId);
        }
        failIfScanFailed(outcome);
        opts.onTurn?.({ kind: "full-scan", outcome, state });
      } else {
        await lookOnce(startedAt);
      }
      failures = 0;
      delete state.behind;
      delete state.error;
    } catch (e) {
      if (signal.aborted) break;
      failures += 1;
      const reason = String((e as Error)?.message ?? e).slice(0, 300);
      // Throttling is only being behind; anything else (a role that cannot be assumed) is this fleet's error too.
      const code = isFleetDoctorError(e) && typeof e.details?.code === "string" ? e.details.code : errorName(e);
      if (isThrottling(e) || isThrottling({ name: code })) delete state.error;
      else state.error = { code, message: reason };
      const waitMs = backoffMs(failures, {
        baseMs: opts.backoff?.baseMs ?? 2000,
        capMs: opts.backoff?.capMs ?? 300_000,
      });
      wakeAt = Date.now() + waitMs;
      state.behind = { since: state.behind?.since ?? iso(startedAt), reason, retryAt: iso(wakeAt) };
      state.nextLookAt = iso(wakeAt);
      opts.onTurn?.({ kind: "behind", error: reason, waitMs, state });
    }
    if (nextFull !== undefined && !state.behind) wakeAt = Math.min(wakeAt, Math.max(nextFull, Date.now()));
    state.nextLookAt = iso(Math.max(wakeAt, Date.now()));
    await save();
    await sleep(Math.max(0, wakeAt - Date.now()), undefined, { signal }).catch(() => undefined);
  }

  async function lookOnce(startedAt: number) {
    const full = fullDue;
    const seen = await look(ctx.clients, ctx.callCounter, signal, full);
    // A look that succeeds ends being behind (a probe scan that fails after it puts the watcher behind again).
    failures = 0;
    delete state.behind;
    // The fleet the watcher's scans read, when named: another account's instance of the same id is not this one.
    const latest = new Map((await store.latestSeen(ctx.scan.fleet?.id)).map((r) => [r.instanceId, r]));
    const planned = plan(seen.seen, latest, {
      now: new Date(),
      intervalSeconds: config.intervalSeconds,
      staleSeconds: config.staleSeconds,
      ...(opts.transitionalIntervals ? { transitionalIntervals: opts.transitionalIntervals } : {}),
    });
    const found = countReasons(planned);
    const current: WatchLook = {
      at: iso(startedAt),
      durationMs: seen.durationMs,
      calls: seen.calls,
      full: seen.full,
      seen: seen.seen.length,
      found,
    };
    state.lastLook = current;
    let outcome: ProbeOutcome | undefined;
    if (planned.length > 0) {
      // What the look found, and its probe scan once it exists, show while the probe runs.
      await save();
      outcome = await probe({ kind: "ids", ids: planned.map((p) => p.instanceId) }, scanCtx, signal, (scanId) => {
        current.scanId = scanId;
        void save();
      });
      if (outcome.kind === "skipped")
        current.skipped = { reason: outcome.reason, ...(outcome.scanId ? { scanId: outcome.scanId } : {}) };
      else {
        current.scanId = outcome.scanId;
        current.verdicts = outcome.verdicts;
        await after(outcome.scanId);
      }
    }
    if (full && outcome?.kind !== "skipped") {
      fullDue = false;
      quickLooks = 0;
    } else if (!full) {
      quickLooks += 1;
      fullDue = quickLooks >= (opts.fullLookEvery ?? FULL_LOOK_EVERY) - 1;
    }
    opts.onTurn?.({ kind: "look", look: current, planned, state });
    if (outcome) failIfScanFailed(outcome);
  }
}

/** A scan that failed (AWS unreachable, throttled past its retries) puts the watcher behind like a failed look. */
function failIfScanFailed(outcome: ProbeOutcome) {
  if (outcome.kind === "scanned" && outcome.status === "failed") {
    throw new FleetDoctorError("AWS_ERROR", `scan ${outcome.scanId} failed: ${outcome.error ?? "unknown error"}`, {
      scanId: outcome.scanId,
    });
  }
}
