import { z } from "zod";
import type { Actor } from "../auth/roles.ts";
import { INSTANCE_ID } from "../aws/ids.ts";
import type { Config } from "../config.ts";
import { FleetDoctorError } from "../errors.ts";
import type { Store } from "../store/interfaces.ts";
import { auditText } from "./audit-text.ts";
import type { ManagedNow } from "./managed-now.ts";
import { preflight } from "./preflight.ts";
import { type ActionContext, runAction } from "./run-action.ts";
import { ACTION_KINDS, type ActionRow, type ActionTarget, MAX_ACTION_TARGETS } from "./types.ts";

export const MIN_FORCE_REASON = 10;

/** The body of POST /api/actions (and what the CLI builds). Unknown fields are refused, not ignored. */
export const actionRequestSchema = z
  .object({
    kind: z.enum(ACTION_KINDS),
    /** The fleet of the instances (`<account>/<region>`): resolved by the caller (pickFleet) before this. */
    fleet: z.string().max(100).optional(),
    instanceIds: z
      .array(z.string().regex(INSTANCE_ID, "not an instance id (i-… or mi-…)"))
      .min(1)
      .max(MAX_ACTION_TARGETS, `at most ${MAX_ACTION_TARGETS} instances per action`),
    force: z.boolean().optional(),
    reason: z.string().max(500).transform(auditText).optional(),
    maxConcurrency: z.number().int().min(1).max(MAX_ACTION_TARGETS).optional(),
    maxErrors: z.number().int().min(0).max(MAX_ACTION_TARGETS).optional(),
  })
  .strict();

export type ActionRequest = z.infer<typeof actionRequestSchema>;

export type ActionAnswer = {
  /** The new action, or (when every instance was already being restarted) the action they joined. */
  actionId: string;
  created: boolean;
  accepted: string[];
  refused: { instanceId: string; reason: string; hard: boolean }[];
  joined: { instanceId: string; actionId: string }[];
  targets: ActionTarget[];
};

/** 10 % of the targets, at least 1: the first batch is a canary, the rest follow only if it came back. */
export const cautiousConcurrency = (n: number) => Math.max(1, Math.ceil(n / 10));

/**
 * How many instances one SendCommand restarts at once. `lifecycle-404:ready` instances run no tasks (their agent
 * never registered), so a restart cannot disturb work on them: they go together, a batch of up to 50 per command.
 * Anything else (another verdict, a forced restart) keeps the cautious canary.
 */
export function defaultConcurrency(accepted: { verdict?: string; ok: boolean }[], forced: boolean): number {
  const n = accepted.length || 1;
  const idle = !forced && accepted.length > 0 && accepted.every((c) => c.ok && c.verdict === "lifecycle-404:ready");
  return idle ? Math.min(n, MAX_ACTION_TARGETS) : cautiousConcurrency(n);
}
/** Stop after more than this many failures: 10 % of the targets, at least 1. */
export const defaultMaxErrors = (n: number) => Math.max(1, Math.ceil(n / 10));

/**
 * Validates a request, runs the preflight and records the action (or joins the one already restarting these
 * instances). Refused instances are recorded too, so the audit shows every attempt. Does not start anything:
 * `startInBackground` (dashboard) or iterating `runAction` (CLI) does.
 */
export async function requestAction(
  input: unknown,
  actor: Actor,
  ctx: {
    store: Store;
    config: Pick<Config, "restartMaxAgeSeconds" | "restartWaitSeconds">;
    now?: number;
    managed?: ManagedNow;
    /**
     * The fleet the instances belong to (the caller's pickFleet): the claim, the preflight and the audit are keyed
     * by it. Absent: the one fleet before fleets existed.
     */
    fleet?: string;
  },
): Promise<ActionAnswer> {
  // Who may restart is the caller's check (withActor("operator") on the route; the CLI is the local operator).
  const req = actionRequestSchema.parse(input);
  const force = req.force === true;
  const reason = req.reason?.trim() || undefined;
  if (force && (!reason || reason.length < MIN_FORCE_REASON)) {
    throw new FleetDoctorError(
      "BAD_REQUEST",
      `A forced action needs a written reason of at least ${MIN_FORCE_REASON} characters.`,
      {
        field: "reason",
      },
    );
  }
  const fleet = ctx.fleet ?? req.fleet;
  const ids = [...new Set(req.instanceIds)];
  const checks = new Map(
    (await preflight(req.kind, ids, { ...ctx, ...(fleet ? { fleet } : {}) })).map((c) => [c.instanceId, c]),
  );
  const id = crypto.randomUUID();
  const accepted = ids.filter((i) => checks.get(i)!.ok || (force && !checks.get(i)!.hard));
  const maxConcurrency = Math.min(
    req.maxConcurrency ??
      defaultConcurrency(
        accepted.map((i) => checks.get(i)!),
        force,
      ),
    MAX_ACTION_TARGETS,
  );
  const maxErrors = req.maxErrors ?? defaultMaxErrors(accepted.length || 1);
  const { targets, created } = await ctx.store.actions.createAction(
    {
      id,
      kind: req.kind,
      ...(fleet ? { fleet } : {}),
      actor: actor.id,
      actorRole: actor.role,
      forced: force,
      ...(reason ? { reason } : {}),
      createdAt: new Date().toISOString(),
      requested: ids,
      maxConcurrency,
      maxErrors,
      waitSeconds: ctx.config.restartWaitSeconds,
    },
    (free, joined) =>
      ids.map((instanceId): ActionTarget => {
        const check = checks.get(instanceId)!;
        const holder = joined.get(instanceId);
        if (holder)
          return {
            instanceId,
            decision: "joined",
            joinedAction: holder,
            preflight: check,
            reason: "A restart of this instance is already under way.",
          };
        if (!free.has(instanceId)) throw new Error("unreachable");
        if (check.ok) return { instanceId, decision: "accepted", preflight: check };
        if (force && !check.hard)
          return { instanceId, decision: "accepted", preflight: check, reason: `Forced: ${check.reason}` };
        return { instanceId, decision: "refused", preflight: check, reason: check.reason ?? "Refused." };
      }),
    (ts) => ({
      type: "action-started",
      actionId: id,
      kind: req.kind,
      actor: actor.id,
      forced: force,
      ...(reason ? { reason } : {}),
      targets: ts.map((t) => ({
        instanceId: t.instanceId,
        decision: t.decision,
        ...(t.reason ? { reason: t.reason } : {}),
        ...(t.joinedAction ? { joinedAction: t.joinedAction } : {}),
      })),
      maxConcurrency,
      maxErrors,
      at: new Date().toISOString(),
    }),
  );
  const joined = targets
    .filter((t) => t.decision === "joined")
    .map((t) => ({ instanceId: t.instanceId, actionId: t.joinedAction! }));
  return {
    actionId: created ? id : joined[0]!.actionId,
    created,
    accepted: targets.filter((t) => t.decision === "accepted").map((t) => t.instanceId),
    refused: targets
      .filter((t) => t.decision === "refused")
      .map((t) => ({ instanceId: t.instanceId, reason: t.reason ?? "Refused.", hard: t.preflight.hard === true })),
    joined,
    targets,
  };
}

/**
 * Drives an action in the background of this process (the dashboard server); events go to the store. Resolves
 * when it has ended. The caller holds its lease (it created the action, or took it over).
 */
export function startInBackground(
  actionId: string,
  ctx: ActionContext,
  opts: { resume?: boolean } = {},
): Promise<void> {
  return (async () => {
    for await (const _ of runAction(actionId, ctx, opts)) {
      // stored by runAction; watchers read the store
    }
  })().catch((e) => console.error(`[fleet-doctor] action ${actionId} failed:`, e));
}

/**
 * Takes over every unfinished action whose lease expired (its owner died: a crash, a deploy, a kill), collecting
 * what it sent and never resending. Any process may call it at any time; an action a live process drives is left.
 */
export async function resumeActions(
  ctx: ActionContext,
  /** The context of an action's own fleet (its clients); without it, `ctx` (one fleet). */
  contextFor?: (action: ActionRow) => Promise<ActionContext>,
): Promise<{ actionId: string; done: Promise<void> }[]> {
  const actions = ctx.store.actions;
  const resumed: { actionId: string; done: Promise<void> }[] = [];
  for (const actionId of await actions.unfinished()) {
    const row = await actions.get(actionId);
    if (!row) continue;
    let actx: ActionContext;
    try {
      actx = contextFor ? await contextFor(row) : ctx;
    } catch (e) {
      // Its fleet is not configured (or cannot be entered) here: leave it for a process that can reach it.
      console.error(
        `[fleet-doctor] cannot resume action ${actionId} of fleet ${row.fleet}:`,
        (e as Error)?.message ?? e,
      );
      continue;
    }
    if (await actions.takeOver(actionId)) {
      resumed.push({ actionId, done: startInBackground(actionId, actx, { resume: true }) });
    }
  }
  return resumed;
}
