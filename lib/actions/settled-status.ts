import type { ActionStatus, InstanceOutcomeKind } from "./types.ts";

/**
 * The status an action ends with once every instance has an outcome. A run that went to its end is `completed`
 * only when every instance it restarted came back: when all of them failed it is `failed`, when some did it is
 * `partly-failed`, so that a person reading the Activity page or a script reading the CLI never sees success
 * for a restart that did not work. Other ends (halted, refused, interrupted, failed) already say so.
 */
export function settledStatus(
  ended: Exclude<ActionStatus, "running">,
  counts: Partial<Record<InstanceOutcomeKind, number>>,
): Exclude<ActionStatus, "running"> {
  if (ended !== "completed") return ended;
  let ok = 0;
  let bad = 0;
  for (const [kind, n] of Object.entries(counts) as [InstanceOutcomeKind, number][]) {
    if (kind === "registered") ok += n;
    else if (kind !== "skipped") bad += n;
  }
  if (bad === 0) return "completed";
  return ok === 0 ? "failed" : "partly-failed";
}
