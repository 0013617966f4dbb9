import type { Verdict } from "../diagnosis/types.ts";
import type { LatestSeen } from "../store/interfaces.ts";
import type { Seen } from "./look.ts";

/** Why the watcher probes an instance. */
export type ProbeReason = "new" | "changed" | "stale" | "transitional";

export type PlannedProbe = { instanceId: string; reason: ProbeReason; why: string };

/**
 * Verdicts that can change by themselves as the instance's group publishes a lifecycle state (the warm pool moves
 * it to InService, the metadata catches up with the group): a restart heals the 404 only once the instance reads
 * `lifecycle-404:ready`, so these are looked at again soon, not only when stale.
 */
export const TRANSITIONAL: readonly Verdict[] = ["waiting", "lifecycle-404:blocked", "lifecycle-404:warmed"];

export type PlanOptions = {
  now: Date;
  intervalSeconds: number;
  staleSeconds: number;
  /** A transitional instance whose lifecycle state did not change is probed again after this many intervals. */
  transitionalIntervals?: number;
};

const DEFAULT_TRANSITIONAL_INTERVALS = 3;
const OFFLINE = ["ConnectionLost", "Inactive"];

/**
 * Which instances of a look to probe, each with why, against the latest stored result of each: `new` (no result),
 * `changed` (its Auto Scaling lifecycle state, SSM ping status or ECS registration differs from what the result
 * recorded), `stale` (the result is older than `staleSeconds`), `transitional` (its verdict can change by itself:
 * probed again every few intervals, bounded by `transitionalIntervals`). The first reason that applies is given.
 * Everything else is not probed. Pure: the loop derives it from stored results, so a probe that never finished
 * (the leader died) is planned again by whoever leads next.
 */
export function plan(seen: readonly Seen[], latest: ReadonlyMap<string, LatestSeen>, o: PlanOptions): PlannedProbe[] {
  const now = o.now.getTime();
  const transitionalMs = o.intervalSeconds * (o.transitionalIntervals ?? DEFAULT_TRANSITIONAL_INTERVALS) * 1000;
  const out: PlannedProbe[] = [];
  for (const s of seen) {
    const last = latest.get(s.instanceId);
    const probe = (reason: ProbeReason, why: string) => out.push({ instanceId: s.instanceId, reason, why });
    if (!last) {
      probe("new", "no result yet");
      continue;
    }
    const change = changeOf(s, last);
    if (change) {
      probe("changed", change);
      continue;
    }
    const age = now - Date.parse(last.probedAt);
    if (!(age <= o.staleSeconds * 1000)) {
      probe("stale", `last probed ${Math.round(age / 1000)} s ago`);
      continue;
    }
    if (TRANSITIONAL.includes(last.verdict) && age >= transitionalMs) {
      probe("transitional", `${last.verdict} for ${Math.round(age / 1000)} s`);
    }
  }
  return out;
}

/** What differs between a look and the latest result, in words; undefined when nothing the look sees does. */
function changeOf(s: Seen, last: LatestSeen): string | undefined {
  const was = last.lifecycleState ?? "no group";
  const is = s.lifecycleState ?? "no group";
  if (was !== is) return `lifecycle ${was} -> ${is}`;
  if (s.offlineOnly) {
    // A quick look knows only that the instance is not offline: a change only if its result found it offline.
    if (OFFLINE.includes(last.pingStatus)) return `SSM ping ${last.pingStatus} -> no longer offline`;
  } else {
    const ping = s.pingStatus ?? "Unknown";
    if (ping !== last.pingStatus) return `SSM ping ${last.pingStatus} -> ${ping}`;
  }
  if (s.registered !== undefined && last.registered !== undefined && s.registered !== last.registered) {
    return s.registered ? "registered with ECS" : "no longer registered with ECS";
  }
  return undefined;
}

/** How many of each reason a plan holds (every reason present, zero when none). */
export function countReasons(planned: readonly PlannedProbe[]): Record<ProbeReason, number> {
  const out: Record<ProbeReason, number> = { new: 0, changed: 0, stale: 0, transitional: 0 };
  for (const p of planned) out[p.reason] += 1;
  return out;
}
