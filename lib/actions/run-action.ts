import type { CommandInvocation } from "@aws-sdk/client-ssm";
import type { Clients } from "../aws/clients.ts";
import { getInvocation, listInvocations, RUN_SHELL_PLUGIN, sendShellCommand } from "../aws/commands.ts";
import { errorName, isTransient } from "../aws/errors.ts";
import { chunks } from "../aws/inventory.ts";
import type { Config } from "../config.ts";
import { parseRestartOutput } from "../probe/restart-report.ts";
import { restartCommands } from "../probe/restart-script.ts";
import { channel } from "../scan/channel.ts";
import {
  combineOutput,
  hasTruncationMarker,
  NOT_DELIVERED,
  normaliseStatus,
  TERMINAL_STATUSES,
} from "../scan/output.ts";
import { sleep } from "../scan/pace.ts";
import { runScan } from "../scan/run-scan.ts";
import type { Store } from "../store/store.ts";
import { type ActionStore, actionStore } from "./action-store.ts";
import { settledStatus } from "./settled-status.ts";
import type { ActionDetail, ActionEvent, ActionStatus, InstanceOutcome, InstanceOutcomeKind } from "./types.ts";

export type ActionContext = {
  clients: Clients;
  store: Store;
  config: Pick<Config, "sendRate" | "pollRate" | "probeTimeoutSeconds" | "deliveryTimeoutSeconds">;
  /** Milliseconds between looks at a running command. */
  pollMs?: number;
};

// Actions this process is driving, on globalThis so every Next.js route bundle sees the same set.
const KEY = Symbol.for("fleet-doctor.running-actions");
export function runningActions(): Map<string, Promise<void>> {
  const g = globalThis as { [KEY]?: Map<string, Promise<void>> };
  g[KEY] ??= new Map();
  return g[KEY];
}

const now = () => new Date().toISOString();

const FROM_REPORT: Record<string, InstanceOutcomeKind> = {
  registered: "registered",
  "failed-again": "failed-again",
  timeout: "timeout",
  "restart-error": "error",
  "config-error": "error",
};

/** The restart's result on one instance, from what SSM returned (before the probe re-diagnoses it). */
export function outcomeOfInvocation(
  instanceId: string,
  commandId: string,
  status: string,
  statusDetails: string | undefined,
  output: string,
): Omit<InstanceOutcome, "at"> {
  if (statusDetails && NOT_DELIVERED.has(statusDetails)) {
    return {
      instanceId,
      commandId,
      outcome: "not-delivered",
      message: `SSM could not deliver the command (${statusDetails}).`,
    };
  }
  const parsed = parseRestartOutput(output);
  if (parsed.ok) {
    const r = parsed.report;
    const message =
      r.outcome === "registered"
        ? `The agent registered again after ${r.seconds} s.`
        : r.outcome === "failed-again"
          ? "The agent failed again after the restart."
          : r.outcome === "timeout"
            ? `The agent had not registered after ${r.waitLimit} s${r.waiting ? " (it is waiting for InService)" : ""}.`
            : r.outcome === "config-error"
              ? `ecs.config could not be changed: ${r.config?.error ?? "unknown"}.`
              : "The agent could not be restarted (no systemctl or initctl).";
    return {
      instanceId,
      commandId,
      outcome: FROM_REPORT[r.outcome] ?? "error",
      report: r,
      message,
      ...(r.failureLine ? { failureLine: r.failureLine } : {}),
    };
  }
  const why = status === "TimedOut" ? "timed out" : `ended ${status}${statusDetails ? ` (${statusDetails})` : ""}`;
  return {
    instanceId,
    commandId,
    outcome: status === "TimedOut" ? "timeout" : "error",
    message: `The restart command ${why}: ${parsed.error}`,
  };
}

/**
 * Runs (or resumes) one action as an async generator of events, each stored before it is yielded. Batches of
 * `maxConcurrency` instances, one SendCommand each; the restart script waits on the instance and reports; then the
 * probe re-diagnoses the batch (a scan over its ids) and each outcome is stored with the verdict after. More than
 * `maxErrors` failures stop it (the rest are skipped). After a crash it collects the commands already sent and
 * never sends again: instances whose batch had not been sent are recorded as skipped.
 */
export async function* runAction(
  actionId: string,
  ctx: ActionContext,
  opts: { resume?: boolean } = {},
): AsyncGenerator<ActionEvent> {
  const out = channel<ActionEvent>();
  const actions = actionStore(ctx.store);
  const running = runningActions();
  let release!: () => void;
  const done = new Promise<void>((resolve) => {
    release = resolve;
  });
  running.set(actionId, done);
  const emit = (event: ActionEvent, write?: () => void) => {
    actions.appendEvent(actionId, event, write);
    out.push(event);
  };
  const work = execute(actionId, ctx, actions, emit, opts.resume ?? false)
    .catch((e) => {
      console.error(`[fleet-doctor] action ${actionId} failed:`, e);
      try {
        finish(actionId, actions, emit, "failed");
      } catch {
        // the store itself failed: nothing more to record
      }
    })
    .finally(() => {
      running.delete(actionId);
      release();
      out.close();
    });
  yield* out.drain();
  await work;
}

function finish(
  actionId: string,
  actions: ActionStore,
  emit: (e: ActionEvent, w?: () => void) => void,
  status: Exclude<ActionStatus, "running">,
) {
  const detail = actions.detail(actionId)!;
  if (detail.status !== "running") return;
  const counts: Partial<Record<InstanceOutcomeKind, number>> = {};
  for (const o of detail.outcomes) counts[o.outcome] = (counts[o.outcome] ?? 0) + 1;
  emit({ type: "action-finished", status: settledStatus(status, counts), counts, at: now() }, () =>
    actions.releaseAll(actionId),
  );
}

async function execute(
  actionId: string,
  ctx: ActionContext,
  actions: ActionStore,
  emit: (e: ActionEvent, w?: () => void) => void,
  resume: boolean,
) {
  const detail = actions.detail(actionId);
  if (!detail) throw new Error(`no action ${actionId}`);
  if (detail.status !== "running") return;
  if (resume) emit({ type: "resumed", pid: process.pid, at: now() });

  const accepted = detail.targets.filter((t) => t.decision === "accepted").map((t) => t.instanceId);
  if (accepted.length === 0) return finish(actionId, actions, emit, "refused");

  const decided = new Set(detail.outcomes.map((o) => o.instanceId));
  let errors = detail.outcomes.filter((o) => o.outcome !== "registered" && o.outcome !== "skipped").length;
  const record = (o: Omit<InstanceOutcome, "at">) => {
    const outcome: InstanceOutcome = { ...o, at: now() };
    decided.add(o.instanceId);
    if (outcome.outcome !== "registered" && outcome.outcome !== "skipped") errors++;
    emit({ type: "instance-outcome", outcome, at: outcome.at }, () => actions.recordOutcome(actionId, outcome));
  };

  // 1. Commands already sent (by a process that died): collect them, never send again.
  const sentIds = new Set<string>();
  for (const c of detail.commands) {
    for (const id of c.instanceIds) sentIds.add(id);
    const open = c.instanceIds.filter((id) => !decided.has(id));
    if (open.length > 0) await collectAndVerify(actionId, ctx, detail, c.commandId, open, emit, record);
  }
  // 2. A batch whose SendCommand may or may not have gone out when the process died: do not risk a second one.
  const events = actions.eventsSince(actionId, 0);
  for (const { event } of events) {
    if (event.type !== "batch-sending") continue;
    for (const id of event.instanceIds) {
      if (sentIds.has(id) || decided.has(id)) continue;
      const failed = events.some((e) => e.event.type === "batch-failed" && e.event.batch === event.batch);
      record({
        instanceId: id,
        outcome: failed ? "error" : "unknown",
        message: failed
          ? "SendCommand failed."
          : "Fleet Doctor stopped while sending this restart; it was not sent again. Scan the instance to see its state.",
      });
    }
  }
  // 3. What was never sent.
  const rest = accepted.filter((id) => !decided.has(id));
  if (resume) {
    for (const id of rest) {
      record({
        instanceId: id,
        outcome: "skipped",
        message: "Fleet Doctor restarted before this batch was sent; nothing was sent. Ask again.",
      });
    }
    return finish(actionId, actions, emit, rest.length > 0 ? "interrupted" : "completed");
  }
  let batch = detail.commands.length;
  for (const ids of chunks(rest, detail.maxConcurrency)) {
    if (errors > detail.maxErrors) {
      const skipped = accepted.filter((id) => !decided.has(id));
      emit({
        type: "halted",
        reason: `${errors} instance(s) did not come back, more than the ${detail.maxErrors} allowed.`,
        skipped,
        at: now(),
      });
      for (const id of skipped)
        record({
          instanceId: id,
          outcome: "skipped",
          message: "Not sent: the action stopped after too many failures.",
        });
      return finish(actionId, actions, emit, "halted");
    }
    batch++;
    emit({ type: "batch-sending", batch, instanceIds: ids, at: now() });
    let commandId: string;
    try {
      commandId = await send(ctx, detail, ids);
    } catch (e) {
      const error = `${errorName(e)}: ${String((e as Error)?.message ?? e).slice(0, 300)}`;
      emit({ type: "batch-failed", batch, instanceIds: ids, error, at: now() });
      for (const id of ids) record({ instanceId: id, outcome: "error", message: `SendCommand failed: ${error}` });
      continue;
    }
    const sentBatch = batch;
    emit({ type: "batch-sent", batch: sentBatch, commandId, instanceIds: ids, at: now() }, () =>
      actions.recordCommand(actionId, sentBatch, commandId, ids),
    );
    await collectAndVerify(actionId, ctx, detail, commandId, ids, emit, record);
  }
  finish(actionId, actions, emit, "completed");
}

async function send(ctx: ActionContext, detail: ActionDetail, ids: string[]): Promise<string> {
  // A transient failure is retried only when SSM surely did not take the command (throttling, 5xx before an answer
  // is what the SDK already retries); anything else is reported, never blindly repeated.
  let attempt = 0;
  for (;;) {
    try {
      return await sendShellCommand(ctx.clients.ssm, {
        instanceIds: ids,
        commands: restartCommands(detail.kind, { waitSeconds: detail.waitSeconds }),
        deliveryTimeoutSeconds: ctx.config.deliveryTimeoutSeconds,
        executionTimeoutSeconds: detail.waitSeconds + 30,
        comment: `fleet-doctor ${detail.kind} ${detail.id}`,
      });
    } catch (e) {
      if (errorName(e) !== "ThrottlingException" || ++attempt >= 3) throw e;
      await sleep(1000 * attempt);
    }
  }
}

async function collectAndVerify(
  actionId: string,
  ctx: ActionContext,
  detail: ActionDetail,
  commandId: string,
  ids: string[],
  emit: (e: ActionEvent, w?: () => void) => void,
  record: (o: Omit<InstanceOutcome, "at">) => void,
) {
  const open = new Set(ids);
  const lastStatus = new Map<string, string>();
  const results = new Map<string, Omit<InstanceOutcome, "at">>();
  const deadline = Date.now() + (ctx.config.deliveryTimeoutSeconds + detail.waitSeconds + 30 + 60) * 1000;
  const pollMs = ctx.pollMs ?? 1500;
  while (open.size > 0) {
    let invocations: CommandInvocation[] = [];
    try {
      invocations = await listInvocations(ctx.clients.ssm, commandId);
    } catch (e) {
      if (!isTransient(e) && errorName(e) !== "InvocationDoesNotExist") throw e;
    }
    for (const inv of invocations) {
      const id = inv.InstanceId;
      if (!id || !open.has(id)) continue;
      const status = normaliseStatus(inv.Status) ?? "Pending";
      if (lastStatus.get(id) !== status) {
        lastStatus.set(id, status);
        emit({ type: "instance-status", instanceId: id, status, at: now() });
      }
      if (!TERMINAL_STATUSES.has(status)) continue;
      const plugin = inv.CommandPlugins?.find((p) => p.Name === RUN_SHELL_PLUGIN) ?? inv.CommandPlugins?.[0];
      let output = plugin?.Output ?? "";
      if (hasTruncationMarker(output)) {
        const full = await getInvocation(ctx.clients.ssm, commandId, id).catch(() => undefined);
        if (full) output = combineOutput(full.StandardOutputContent ?? "", full.StandardErrorContent ?? "");
      }
      const o = outcomeOfInvocation(
        id,
        commandId,
        status,
        normaliseStatus(plugin?.StatusDetails ?? inv.StatusDetails),
        output,
      );
      results.set(id, o);
      emit({
        type: "instance-restarted",
        instanceId: id,
        outcome: o.outcome,
        ...(o.message ? { message: o.message } : {}),
        ...(o.failureLine ? { failureLine: o.failureLine } : {}),
        ...(o.report ? { seconds: o.report.seconds } : {}),
        at: now(),
      });
      open.delete(id);
    }
    if (open.size === 0) break;
    if (Date.now() > deadline) {
      for (const id of open) {
        results.set(id, {
          instanceId: id,
          commandId,
          outcome: "unknown",
          message: `SSM reported no end of the command (last status ${lastStatus.get(id) ?? "none"}).`,
        });
      }
      break;
    }
    await sleep(pollMs);
  }

  // Verify: the probe, again, on every instance the command reached.
  const reached = ids.filter((id) => results.get(id)?.outcome !== "not-delivered");
  const after = new Map<string, { verdict: InstanceOutcome["verdictAfter"]; summary: string; scanId: string }>();
  if (reached.length > 0) {
    emit({ type: "rediagnosing", instanceIds: reached, at: now() });
    try {
      for await (const e of runScan(
        { kind: "ids", ids: reached },
        { clients: ctx.clients, store: ctx.store, config: ctx.config, actor: `action:${actionId}` },
      )) {
        if (e.type === "instance") {
          after.set(e.result.instanceId, {
            verdict: e.result.verdict,
            summary: e.result.diagnosis.summary,
            scanId: e.result.scanId,
          });
        }
      }
    } catch (e) {
      console.error(`[fleet-doctor] action ${actionId}: re-diagnosis failed:`, e);
    }
  }
  for (const id of ids) {
    const o = results.get(id)!;
    const a = after.get(id);
    let outcome = o.outcome;
    let message = o.message;
    // The probe is the judge: an agent that registered after the script stopped waiting did come back.
    if (a?.verdict === "healthy" && (outcome === "timeout" || outcome === "unknown")) {
      outcome = "registered";
      message = `${message ?? ""} The probe found it registered afterwards.`.trim();
    }
    record({
      ...o,
      outcome,
      ...(message ? { message } : {}),
      ...(a ? { verdictAfter: a.verdict, summaryAfter: a.summary, scanId: a.scanId } : {}),
    });
  }
}
