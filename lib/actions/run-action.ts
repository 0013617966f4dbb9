import { channel } from "../async/channel.ts";
import type { Clients } from "../aws/clients.ts";
import { NOT_DELIVERED } from "../aws/command-output.ts";
import { chunks } from "../aws/inventory.ts";
import { runCommand } from "../aws/run-command.ts";
import type { Config } from "../config.ts";
import { parseRestartOutput } from "../probe/restart-report.ts";
import { restartCommands } from "../probe/restart-script.ts";
import { runScan } from "../scan/run-scan.ts";
import type { Store } from "../store/store.ts";
import { type ActionStore, actionStore } from "./action-store.ts";
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
  emit({ type: "action-finished", status, counts, at: now() }, () => actions.releaseAll(actionId));
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
    if (open.length > 0) await restartBatch(actionId, ctx, detail, { sent: c.commandId, ids: open }, emit, record);
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
    const sentBatch = batch;
    await restartBatch(actionId, ctx, detail, { batch: sentBatch, ids }, emit, record, (commandId, sentIds) =>
      emit({ type: "batch-sent", batch: sentBatch, commandId, instanceIds: sentIds, at: now() }, () =>
        actions.recordCommand(actionId, sentBatch, commandId, sentIds),
      ),
    );
  }
  finish(actionId, actions, emit, "completed");
}

/**
 * One batch through the Run Command runner: the restart script sent with one SendCommand (or, after a crash, the
 * command sent before, collected and never sent again), each instance's outcome as SSM reports it, then the probe
 * again on every instance the command reached, and one recorded outcome per instance.
 */
async function restartBatch(
  actionId: string,
  ctx: ActionContext,
  detail: ActionDetail,
  batch: { ids: string[]; sent?: string; batch?: number },
  emit: (e: ActionEvent, w?: () => void) => void,
  record: (o: Omit<InstanceOutcome, "at">) => void,
  onSent?: (commandId: string, ids: string[]) => void,
) {
  const { ids } = batch;
  const results = new Map<string, Omit<InstanceOutcome, "at">>();
  const pollMs = ctx.pollMs ?? 1500;
  for await (const e of runCommand({
    ssm: ctx.clients.ssm,
    instanceIds: batch.sent ? [] : ids,
    ...(batch.sent ? { sent: [{ commandId: batch.sent, instanceIds: ids }] } : {}),
    commands: restartCommands(detail.kind, { waitSeconds: detail.waitSeconds }),
    comment: `fleet-doctor ${detail.kind} ${detail.id}`,
    deliveryTimeoutSeconds: ctx.config.deliveryTimeoutSeconds,
    executionTimeoutSeconds: detail.waitSeconds + 30,
    sendRate: ctx.config.sendRate,
    pollRate: ctx.config.pollRate,
    batchSize: ids.length,
    // A restart is never sent twice on a 5xx (SSM may have taken it); only throttling is retried.
    resendOnServerError: false,
    tuning: { firstPollMs: pollMs, minPollMs: pollMs, maxPollMs: pollMs },
  })) {
    switch (e.type) {
      case "sent":
        onSent?.(e.commandId, e.instanceIds);
        break;
      case "send-failed":
        emit({ type: "batch-failed", batch: batch.batch ?? 0, instanceIds: e.instanceIds, error: e.error, at: now() });
        for (const id of e.instanceIds)
          record({ instanceId: id, outcome: "error", message: `SendCommand failed: ${e.error}` });
        break;
      case "not-managed":
        results.set(e.instanceId, {
          instanceId: e.instanceId,
          outcome: "not-delivered",
          message: "SSM no longer manages this instance as online (InvalidInstanceId): nothing was sent to it.",
        });
        break;
      case "status":
        emit({ type: "instance-status", instanceId: e.instanceId, status: e.status, at: now() });
        break;
      case "result": {
        const r = e.result;
        const o = outcomeOfInvocation(r.instanceId, r.commandId, r.status, r.statusDetails, r.fullOutput);
        results.set(r.instanceId, o);
        emit({
          type: "instance-restarted",
          instanceId: r.instanceId,
          outcome: o.outcome,
          ...(o.message ? { message: o.message } : {}),
          ...(o.failureLine ? { failureLine: o.failureLine } : {}),
          ...(o.report ? { seconds: o.report.seconds } : {}),
          at: now(),
        });
        break;
      }
      case "unresolved":
        results.set(e.instanceId, {
          instanceId: e.instanceId,
          commandId: e.commandId,
          outcome: "unknown",
          message: `SSM reported no end of the command (last status ${e.lastStatus}).`,
        });
        break;
      case "retry":
        break;
    }
  }
  await verify(actionId, ctx, ids, results, emit, record);
}

/** The probe, again, on every instance the command reached; the probe is the judge of what the restart did. */
async function verify(
  actionId: string,
  ctx: ActionContext,
  ids: string[],
  results: Map<string, Omit<InstanceOutcome, "at">>,
  emit: (e: ActionEvent, w?: () => void) => void,
  record: (o: Omit<InstanceOutcome, "at">) => void,
) {
  const reached = ids.filter((id) => results.has(id) && results.get(id)?.outcome !== "not-delivered");
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
    const o = results.get(id);
    if (!o) continue; // SendCommand failed for it: already recorded
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
