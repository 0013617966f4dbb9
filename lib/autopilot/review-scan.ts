import { preflight } from "../actions/preflight.ts";
import { requestAction } from "../actions/request-action.ts";
import { runAction } from "../actions/run-action.ts";
import { MAX_ACTION_TARGETS } from "../actions/types.ts";
import type { AlertEvent } from "../alerts/types.ts";
import { chunks } from "../aws/inventory.ts";
import { verdictInfo } from "../diagnosis/catalogue.ts";
import { fleetOf } from "../scan/run-scan.ts";
import type { InstanceSummary } from "../store/types.ts";
import { AUTOPILOT_ACTOR, NO_GROUP, type ReviewContext, tell } from "./context.ts";
import { type Candidate, type Decision, decide, RESTARTABLE } from "./decide.ts";
import { failureKey } from "./failure-key.ts";
import { settleActions } from "./settle-actions.ts";
import type { AutopilotEntry, Policy } from "./types.ts";

export type ReviewResult = {
  fleet: string;
  /** Per group reviewed (group "" = instances in no group): what decide said. */
  decisions: { group: string; mode: Policy["mode"]; decision: Decision }[];
  /** The restart actions this review started, one per group (per 50 instances). */
  actions: { group: string; actionId: string; instanceIds: string[] }[];
  /** Settles when those actions have ended and their outcomes are recorded and alerted (never rejects). */
  settled: Promise<void>;
};

/** A failure without a key in the report is still logged once per instance and verdict. */
const keyOr = (c: Candidate) => c.failureKey ?? `verdict=${c.verdict}`;

/**
 * Autopilot's review of one scan, called by the watcher after each of its scans: per Auto Scaling group (an
 * instance in no group takes the fleet's default policy), `decide` says what to do; failing instances are alerted
 * and healthy ones resolved (one `send` for the whole review); `restart` claims each instance's failure in the store
 * (atomic: of two reviews or replicas one wins) before one restart action per group goes through the restart path
 * (requestAction + runAction: preflight, verified restart, audit) as the autopilot, naming the policy's author.
 * Returns once the actions are started; `settled` follows their end (outcomes, alerts, breaker).
 */
export async function reviewScan(scanId: string, ctx: ReviewContext): Promise<ReviewResult> {
  const { store } = ctx;
  const fleet = (await store.scanFleet(scanId)) ?? ctx.clientsFleet?.id ?? (await fleetOf(ctx.clients)).id;
  if (ctx.clientsFleet && ctx.clientsFleet.id !== fleet)
    throw new Error(`scan ${scanId} is of fleet ${fleet}; this review has the clients of ${ctx.clientsFleet.id}`);
  const policies = await store.autopilot.policies(fleet);
  const defaultPolicy = policies.find((p) => p.group === null);
  const policyOf = (group: string) =>
    (group === NO_GROUP ? undefined : policies.find((p) => p.group === group)) ?? defaultPolicy;

  // Actions of earlier reviews that ended since (or whose process died): their outcomes first, so that the
  // breaker and the rate below see them.
  await settleActions(fleet, policyOf, ctx).catch((e) => console.error("[fleet-doctor] autopilot settle failed:", e));

  const results = await store.scanResults(scanId);
  const byGroup = new Map<string, InstanceSummary[]>();
  for (const r of results) {
    const g = r.group ?? NO_GROUP;
    const list = byGroup.get(g);
    if (list) list.push(r);
    else byGroup.set(g, [r]);
  }
  const page = await store.autopilot.killSwitch();
  const tripped = new Set((await store.autopilot.breakers(fleet)).map((b) => b.group));
  const now = Date.now();
  const alerts: AlertEvent[] = [];
  const resolved: string[] = [];
  const entries: AutopilotEntry[] = [];
  const decisions: ReviewResult["decisions"] = [];
  const toRestart: { group: string; policy: Policy; restart: { id: string; key: string }[] }[] = [];

  for (const [group, items] of byGroup) {
    const policy = policyOf(group);
    if (!policy || policy.mode === "off") continue;
    const candidates = await candidatesOf(items, policy, ctx, now, fleet);
    const history = await store.autopilot.groupLog(
      fleet,
      group,
      ["restart-sent"],
      new Date(now - 3600_000).toISOString(),
    );
    const decision = decide({
      policy,
      killSwitch: { variable: ctx.config.autopilotKilled, page: page.engaged },
      breakerTripped: tripped.has(group),
      history,
      candidates,
      now,
    });
    decisions.push({ group, mode: policy.mode, decision });
    const byId = new Map(candidates.map((c) => [c.instanceId, c]));
    const summaryOf = new Map(items.map((i) => [i.instanceId, i]));
    const at = new Date().toISOString();
    const base = { fleet, group, actor: AUTOPILOT_ACTOR.id };
    // Logged once per failure (a claim per instance, failure and what), though the alert goes to the sink each review.
    const once = (instanceId: string, what: string) =>
      store.autopilot.claim({ fleet, instanceId, failureKey: keyOr(byId.get(instanceId)!), what });

    for (const id of decision.alert) {
      const s = summaryOf.get(id)!;
      const info = verdictInfo(s.verdict);
      alerts.push({
        kind: "new-failure",
        fleet,
        instanceId: id,
        verdict: s.verdict,
        ...(s.group ? { group: s.group } : {}),
        summary: `${info.label}: ${info.description}`,
        scanId,
        at,
      });
      if (await once(id, `notified:${s.verdict}`))
        entries.push({ ...base, at, instanceId: id, kind: "notified", detail: `Alerted: ${s.verdict}.` });
    }
    resolved.push(...decision.resolved);
    for (const s of decision.skipped) {
      if (await once(s.instanceId, `skipped:${s.why}`))
        entries.push({ ...base, at, instanceId: s.instanceId, kind: "skipped", detail: s.detail });
    }
    for (const id of decision.dryRun) {
      if (!(await once(id, "dry-run"))) continue;
      entries.push({
        ...base,
        at,
        instanceId: id,
        kind: "dry-run",
        detail: `Dry run: would have restarted ${id} (${RESTARTABLE}, preflight passed).`,
      });
      alerts.push({
        kind: "automatic-action",
        fleet,
        ...(group ? { group } : {}),
        instanceId: id,
        outcome: "dry-run",
        policyAuthor: policy.author,
        at,
      });
    }
    // decide restarts only instances with a failure key.
    const restart = decision.restart.map((id) => ({ id, key: byId.get(id)!.failureKey! }));
    if (restart.length > 0) toRestart.push({ group, policy, restart });
  }

  await store.autopilot.append(entries);
  await tell(ctx.alerts, alerts);
  if (resolved.length > 0)
    await ctx.alerts
      .resolved(fleet, resolved)
      .catch((e) => console.error("[fleet-doctor] autopilot could not hand resolved instances over:", e));

  const actions: ReviewResult["actions"] = [];
  const running: Promise<void>[] = [];
  for (const { group, policy, restart } of toRestart) {
    // The claim before anything is sent: an instance another review or replica claimed for this failure is left.
    const claimed: string[] = [];
    for (const { id, key } of restart) {
      if (ctx.signal?.aborted) break;
      if (await store.autopilot.claim({ fleet, instanceId: id, failureKey: key, what: "restart" })) claimed.push(id);
    }
    for (const batch of chunks(claimed, MAX_ACTION_TARGETS)) {
      if (ctx.signal?.aborted) break;
      const started = await startRestart(fleet, group, policy, batch, ctx);
      if (!started) continue;
      actions.push({ group, actionId: started.actionId, instanceIds: started.sent });
      running.push(started.done);
    }
  }

  const settled = Promise.allSettled(running)
    .then(() => settleActions(fleet, policyOf, ctx))
    .catch((e) => console.error("[fleet-doctor] autopilot settle failed:", e));
  return { fleet, decisions, actions, settled };
}

/** The group's instances as decide sees them; the preflight and the claims are read only for RESTARTABLE ones. */
async function candidatesOf(
  items: InstanceSummary[],
  policy: Policy,
  ctx: ReviewContext,
  now: number,
  fleet: string,
): Promise<Candidate[]> {
  const ready =
    policy.mode === "restart" ? items.filter((i) => i.verdict === RESTARTABLE).map((i) => i.instanceId) : [];
  const checks = new Map(
    (ready.length > 0
      ? await preflight("restart", ready, { store: ctx.store, config: ctx.config, now, fleet })
      : []
    ).map((c) => [c.instanceId, c]),
  );
  const out: Candidate[] = [];
  for (const i of items) {
    const c: Candidate = { instanceId: i.instanceId, verdict: i.verdict };
    if (i.verdict !== "healthy") {
      const key = await candidateKey(i.scanId, i.instanceId, ctx);
      if (key) c.failureKey = key;
    }
    const check = checks.get(i.instanceId);
    if (check) {
      c.preflight = { ok: check.ok, ...(check.reason ? { reason: check.reason } : {}) };
      if (c.failureKey) {
        c.claimed = {
          restart: await ctx.store.autopilot.claimed(i.instanceId, c.failureKey, "restart"),
          dryRun: await ctx.store.autopilot.claimed(i.instanceId, c.failureKey, "dry-run"),
        };
      }
    }
    out.push(c);
  }
  return out;
}

async function candidateKey(scanId: string, instanceId: string, ctx: ReviewContext): Promise<string | undefined> {
  const r = await ctx.store.scanResult(scanId, instanceId);
  return r ? failureKey(r.rawOutput) : undefined;
}

/**
 * One restart action for a group's claimed instances, through the operator's path, as the autopilot: the audit
 * records actor `autopilot` and the policy's author in the reason. `restart-sent` is logged (and alerted) before the
 * action runs, so the rate counts it even if this process dies while it runs.
 */
async function startRestart(
  fleet: string,
  group: string,
  policy: Policy,
  ids: string[],
  ctx: ReviewContext,
): Promise<{ actionId: string; sent: string[]; done: Promise<void> } | undefined> {
  const which = policy.group === null ? "the fleet's default policy" : `the policy of group ${policy.group}`;
  const answer = await requestAction(
    {
      kind: "restart",
      instanceIds: ids,
      reason: `Autopilot: ${which}, set by ${policy.author} at ${policy.updatedAt}.`,
    },
    AUTOPILOT_ACTOR,
    // The policy's fleet: the claim, the preflight and the audit are that fleet's.
    { store: ctx.store, config: ctx.config, fleet },
  );
  const at = new Date().toISOString();
  const base = { fleet, group, actor: AUTOPILOT_ACTOR.id, actionId: answer.actionId };
  const entries: AutopilotEntry[] = [
    ...answer.refused.map(
      (r): AutopilotEntry => ({
        ...base,
        at,
        instanceId: r.instanceId,
        kind: "skipped",
        detail: `Preflight refused: ${r.reason}`,
      }),
    ),
    ...answer.joined.map(
      (j): AutopilotEntry => ({
        ...base,
        actionId: j.actionId,
        at,
        instanceId: j.instanceId,
        kind: "skipped",
        detail: "A restart of this instance was already under way: joined it, nothing more sent.",
      }),
    ),
    ...answer.accepted.map(
      (id): AutopilotEntry => ({
        ...base,
        at,
        instanceId: id,
        kind: "restart-sent",
        detail: `Restart sent (${RESTARTABLE}), policy by ${policy.author}.`,
      }),
    ),
  ];
  await ctx.store.autopilot.append(entries);
  if (!answer.created) return undefined;
  const done = (async () => {
    for await (const _ of runAction(answer.actionId, { ...ctx, ...(ctx.pollMs ? { pollMs: ctx.pollMs } : {}) })) {
      // stored by runAction
    }
  })().catch((e) => console.error(`[fleet-doctor] autopilot action ${answer.actionId} failed:`, e));
  if (answer.accepted.length > 0) {
    await tell(
      ctx.alerts,
      answer.accepted.map((instanceId) => ({
        kind: "automatic-action",
        fleet,
        ...(group ? { group } : {}),
        instanceId,
        outcome: "restart-sent",
        actionId: answer.actionId,
        policyAuthor: policy.author,
        at,
      })),
    );
  }
  return { actionId: answer.actionId, sent: answer.accepted, done };
}
