import type { Config } from "../config.ts";
import { DISABLE_CHECK_VERDICTS } from "../diagnosis/catalogue.ts";
import type { Store } from "../store/interfaces.ts";
import type { ManagedNow } from "./managed-now.ts";
import type { ActionKind, PreflightCheck } from "./types.ts";

const minutes = (s: number) => (s < 120 ? `${s} s` : `${Math.round(s / 60)} min`);

/**
 * The instance's latest result in `fleet`: a result read from another fleet (the same id elsewhere, or a store that
 * keeps one latest row per id) is no diagnosis of this one. Results from before fleets were recorded count.
 */
async function latestIn(store: Store, instanceId: string, fleet: string | undefined) {
  const latest = await store.latestResult(instanceId, fleet);
  if (!latest || fleet === undefined) return latest;
  const scanFleet = await store.scanFleet(latest.scanId);
  return scanFleet === undefined || scanFleet === fleet ? latest : undefined;
}

/**
 * Whether a remedy will work on each instance, from its latest stored diagnosis (no AWS call): the diagnosis must
 * be recent, SSM must reach the instance, and the verdict must be one the remedy fixes. A restart needs
 * `restartWillWork` (lifecycle-404:ready, and the agent-failed causes a restart clears). Turning the check off needs
 * an instance in no Auto Scaling group; for a group member it is refused outright, forced or not: the group's warm
 * pool relies on the check. With `managed` (SSM's answer of a moment ago, managed-now.ts), an instance SSM does not
 * manage or reach now is refused outright too.
 */
export async function preflight(
  kind: ActionKind,
  instanceIds: string[],
  ctx: {
    store: Store;
    config: Pick<Config, "restartMaxAgeSeconds">;
    now?: number;
    managed?: ManagedNow;
    /** The fleet the instances are in (an id is only unique inside one); without it, each id's newest result's. */
    fleet?: string;
  },
): Promise<PreflightCheck[]> {
  const now = ctx.now ?? Date.now();
  const { fleet } = ctx;
  const latestOf = new Map(
    await Promise.all(instanceIds.map(async (id) => [id, await latestIn(ctx.store, id, fleet)] as const)),
  );
  const goneOf = new Map(
    await Promise.all(
      instanceIds.map(async (id) => {
        const gone = await ctx.store.goneOf(id, fleet);
        // Gone from another fleet says nothing of this one.
        return [id, gone && (fleet === undefined || gone.fleet === fleet) ? gone : undefined] as const;
      }),
    ),
  );
  return instanceIds.map((instanceId): PreflightCheck => {
    const latest = latestOf.get(instanceId);
    if (!latest) return { instanceId, ok: false, reason: "Never diagnosed: scan this instance first." };
    const d = latest.diagnosis;
    const ageSeconds = Math.max(0, Math.round((now - Date.parse(latest.probedAt)) / 1000));
    const group = latest.target.group;
    const base: PreflightCheck = {
      instanceId,
      ok: false,
      verdict: latest.verdict,
      summary: d.summary,
      probedAt: latest.probedAt,
      ageSeconds,
      pingStatus: latest.target.pingStatus,
      ...(group ? { group } : {}),
    };
    const gone = goneOf.get(instanceId);
    if (gone) {
      // What a full scan no longer sees was stopped, terminated or left SSM: a command would be refused or lost.
      return {
        ...base,
        hard: true,
        reason: `Gone: the full scan of fleet ${gone.fleet} started ${gone.since} did not see it. Nothing is sent; scan again if it is back.`,
      };
    }
    const ssmNow = ctx.managed && (ctx.managed.get(instanceId) ?? null);
    if (ssmNow === null) {
      return { ...base, hard: true, reason: "SSM does not manage this instance now: nothing is sent to it." };
    }
    if (ssmNow && ssmNow.pingStatus !== "Online") {
      return {
        ...base,
        pingStatus: ssmNow.pingStatus,
        hard: true,
        reason: `SSM reports the instance ${ssmNow.pingStatus} now: a command would not reach it.`,
      };
    }
    if (latest.target.pingStatus !== "Online") {
      return {
        ...base,
        hard: true,
        reason: `SSM reports the instance ${latest.target.pingStatus}: a command would not reach it.`,
      };
    }
    if (kind === "disable-check-and-restart" && group) {
      return {
        ...base,
        hard: true,
        reason: `In Auto Scaling group ${group}: its warm pool needs the check on. Restart once the group has published InService instead.`,
      };
    }
    if (ageSeconds > ctx.config.restartMaxAgeSeconds) {
      return {
        ...base,
        reason: `The diagnosis is ${minutes(ageSeconds)} old (at most ${minutes(ctx.config.restartMaxAgeSeconds)}): scan again first.`,
      };
    }
    if (kind === "restart") {
      if (d.restartWillWork) return { ...base, ok: true };
      return { ...base, reason: `${latest.verdict}: a restart is not expected to work. ${d.summary}` };
    }
    const remedy = d.remedies.some((r) => r.id === "disable-check-and-restart");
    if (remedy || DISABLE_CHECK_VERDICTS.has(latest.verdict)) return { ...base, ok: true };
    return { ...base, reason: `${latest.verdict}: turning the warm-pool check off is not the fix here. ${d.summary}` };
  });
}
