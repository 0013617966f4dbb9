import type { AlertEvent } from "../alerts/types.ts";
import { AUTOPILOT_ACTOR, type ReviewContext, tell } from "./context.ts";
import { breakerTrips } from "./decide.ts";
import type { AutopilotEntry, Policy } from "./types.ts";

/** How far back the log is read for autopilot's actions not yet settled (an action lasts minutes). */
const LOOK_BACK = 500;

/**
 * Records the outcome of every instance of autopilot's finished actions in `fleet` (`verified` when the agent
 * registered again, `failed-verification` otherwise, `skipped` when nothing was sent), each exactly once (a claim
 * per instance and action, whoever settles it: the review that ran it, or a later one after a crash), alerts them,
 * and trips the breaker of a group whose failures reached its policy's limit.
 */
export async function settleActions(
  fleet: string,
  policyOf: (group: string) => Policy | undefined,
  ctx: Pick<ReviewContext, "store" | "alerts">,
): Promise<void> {
  const { store } = ctx;
  const sent = (await store.autopilot.recent(fleet, LOOK_BACK)).filter(
    (e) => e.kind === "restart-sent" && e.actionId && e.instanceId,
  );
  const entries: AutopilotEntry[] = [];
  const events: AlertEvent[] = [];
  const groups = new Set<string>();
  for (const s of sent) {
    if (await store.autopilot.claimed(s.instanceId!, s.actionId!, "outcome")) continue;
    const action = await store.actions.detail(s.actionId!);
    if (!action || action.status === "running") continue;
    const outcome = action.outcomes.find((o) => o.instanceId === s.instanceId);
    if (!(await store.autopilot.claim({ fleet, instanceId: s.instanceId!, failureKey: s.actionId!, what: "outcome" })))
      continue;
    const kind: AutopilotEntry["kind"] =
      outcome?.outcome === "registered"
        ? "verified"
        : outcome?.outcome === "skipped" || !outcome
          ? "skipped"
          : "failed-verification";
    const why = outcome?.message ?? (outcome ? outcome.outcome : "The action recorded no outcome for it.");
    const at = new Date().toISOString();
    const group = s.group ?? "";
    const author = policyOf(group)?.author ?? "unknown";
    entries.push({
      at,
      fleet,
      group,
      instanceId: s.instanceId!,
      kind,
      detail:
        `${kind === "verified" ? "Verified" : kind === "skipped" ? "Not restarted" : "Verification failed"}: ${why}${outcome?.verdictAfter ? ` (now ${outcome.verdictAfter})` : ""}`.slice(
          0,
          500,
        ),
      actionId: s.actionId!,
      actor: AUTOPILOT_ACTOR.id,
    });
    events.push({
      kind: "automatic-action",
      fleet,
      ...(group ? { group } : {}),
      instanceId: s.instanceId!,
      outcome: kind,
      actionId: s.actionId!,
      policyAuthor: author,
      at,
    });
    if (kind === "failed-verification") groups.add(group);
  }
  await store.autopilot.append(entries);
  for (const group of groups) {
    const policy = policyOf(group);
    if (!policy) continue;
    const now = Date.now();
    const since = new Date(now - policy.breakerWindowMinutes * 60_000).toISOString();
    const history = await store.autopilot.groupLog(fleet, group, ["failed-verification", "breaker-reset"], since);
    const { trip, failures } = breakerTrips(policy, history, now);
    if (!trip) continue;
    const at = new Date().toISOString();
    const tripped = await store.autopilot.tripBreaker(
      { fleet, group, trippedAt: at, failures },
      {
        at,
        fleet,
        group,
        kind: "breaker-tripped",
        detail: `${failures} automatic restarts failed verification within ${policy.breakerWindowMinutes} min: automatic restarts in ${group || "(no group)"} stop until an operator resets the breaker.`,
        actor: AUTOPILOT_ACTOR.id,
      },
    );
    if (tripped)
      events.push({ kind: "breaker-tripped", fleet, group, failures, windowMinutes: policy.breakerWindowMinutes, at });
  }
  await tell(ctx.alerts, events);
}
