import { z } from "zod";
import { requireRole } from "../auth/actor.ts";
import type { Actor } from "../auth/roles.ts";
import { INSTANCE_ID } from "../aws/ids.ts";
import type { Config } from "../config.ts";
import { FleetDoctorError } from "../errors.ts";
import type { Store } from "../store/store.ts";
import { actionStore } from "./action-store.ts";
import type { ManagedNow } from "./managed-now.ts";
import { preflight } from "./preflight.ts";
import { type ActionContext, runAction, runningActions } from "./run-action.ts";
import { ACTION_KINDS, type ActionTarget, MAX_ACTION_TARGETS } from "./types.ts";

export const MIN_FORCE_REASON = 10;

/** The body of POST /api/actions (and what the CLI builds). Unknown fields are refused, not ignored. */
export const actionRequestSchema = z
  .object({
    kind: z.enum(ACTION_KINDS),
    instanceIds: z
      .array(z.string().regex(INSTANCE_ID, "not an instance id (i-… or mi-…)"))
      .min(1)
      .max(MAX_ACTION_TARGETS, `at most ${MAX_ACTION_TARGETS} instances per action`),
    force: z.boolean().optional(),
    reason: z.string().trim().max(500).optional(),
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
export const defaultConcurrency = (n: number) => Math.max(1, Math.ceil(n / 10));
/** Stop after more than this many failures: 10 % of the targets, at least 1. */
export const defaultMaxErrors = (n: number) => Math.max(1, Math.ceil(n / 10));

/**
 * Validates a request, runs the preflight and records the action (or joins the one already restarting these
 * instances). Refused instances are recorded too, so the audit shows every attempt. Does not start anything:
 * `startInBackground` (dashboard) or iterating `runAction` (CLI) does.
 */
export function requestAction(
  input: unknown,
  actor: Actor,
  ctx: {
    store: Store;
    config: Pick<Config, "restartMaxAgeSeconds" | "restartWaitSeconds">;
    now?: number;
    managed?: ManagedNow;
  },
): ActionAnswer {
  requireRole(actor, "operator");
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
  const ids = [...new Set(req.instanceIds)];
  const checks = new Map(preflight(req.kind, ids, ctx).map((c) => [c.instanceId, c]));
  const actions = actionStore(ctx.store);
  const id = crypto.randomUUID();
  const accepted = ids.filter((i) => checks.get(i)!.ok || (force && !checks.get(i)!.hard));
  const maxConcurrency = Math.min(req.maxConcurrency ?? defaultConcurrency(accepted.length || 1), MAX_ACTION_TARGETS);
  const maxErrors = req.maxErrors ?? defaultMaxErrors(accepted.length || 1);
  const { targets, created } = actions.createAction(
    {
      id,
      kind: req.kind,
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

/** Drives an action in the background of this process (the dashboard server); events go to the store. */
export function startInBackground(actionId: string, ctx: ActionContext, opts: { resume?: boolean } = {}): void {
  if (runningActions().has(actionId)) return;
  void (async () => {
    for await (const _ of runAction(actionId, ctx, opts)) {
      // stored by runAction; watchers read the store
    }
  })();
}

/** At start: take over every unfinished action whose process is gone, collecting what it sent (never resending). */
export function resumeActions(ctx: ActionContext): string[] {
  const actions = actionStore(ctx.store);
  const resumed: string[] = [];
  for (const id of actions.unfinished()) {
    if (actions.takeOver(id, runningActions().has(id))) {
      startInBackground(id, ctx, { resume: true });
      resumed.push(id);
    }
  }
  return resumed;
}
