import type { TimelineBucket, TimelineStore } from "../store/interfaces.ts";

export type FailuresTimeline = { from: string; to: string; buckets: TimelineBucket[] };

/**
 * The overview's timeline: per hour over the `hours` before `now`, how many instances were found failing and how
 * many healed (lib/store/timeline.ts says how a result counts). `fleet` keeps it to the fleet in view.
 */
export async function failuresTimeline(
  store: { timeline: TimelineStore },
  opts: { fleet?: string; hours?: number; now?: Date } = {},
): Promise<FailuresTimeline> {
  const hours = Math.min(Math.max(opts.hours ?? 24, 1), 24 * 14);
  const to = (opts.now ?? new Date()).toISOString();
  // The current hour is the last bucket: the window starts `hours - 1` whole hours before it.
  const from = new Date(Math.floor(Date.parse(to) / 3_600_000) * 3_600_000 - (hours - 1) * 3_600_000).toISOString();
  const buckets = await store.timeline.failuresTimeline({ from, to, ...(opts.fleet ? { fleet: opts.fleet } : {}) });
  return { from, to, buckets };
}
