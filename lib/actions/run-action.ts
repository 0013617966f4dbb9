import { channel } from "../async/channel.ts";
import type { Clients } from "../aws/clients.ts";
import { NOT_DELIVERED } from "../aws/command-output.ts";
import type { Fleet } from "../aws/fleet.ts";
import { chunks } from "../aws/inventory.ts";
import { runCommand } from "../aws/run-command.ts";
import { findSentCommands } from "../aws/sent-commands.ts";
import type { Config } from "../config.ts";
import { parseRestartOutput } from "../probe/restart-report.ts";
import { restartCommands } from "../probe/restart-script.ts";
import type { ActionAuditStore, ActionWrite, Store } from "../store/interfaces.ts";
import { rediagnose } from "./rediagnose.ts";
import { settledStatus } from "./settled-status.ts";
import type { ActionDetail, ActionEvent, ActionStatus, InstanceOutcome, InstanceOutcomeKind } from "./types.ts";

export type ActionContext = {
  /** The clients of the action's fleet (clientsForFleet): every command of the action goes through them. */
  clients: Clients;
  /**
   * The fleet those clients read, named so the probe after a restart is stored under it (the default credentials'
   * STS would name another account). Absent: the one fleet of the default credentials.
   */
  clientsFleet?: Fleet;
  store: Store;
  config: Pick<Config, "sendRate" | "pollRate" | "probeTimeoutSeconds" | "deliveryTimeoutSeconds" | "joinGraceSeconds">;
  /** Milliseconds between looks at a running command. */
  pollMs?: number;
};

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
  const actions = ctx.store.actions;
  const emit: Emit = async (event, write) => {
    await actions.appendEvent(actionId, event, write);
    out.push(event);
  };
  const end: End = async (status) => {
    // A run that went to its end is `completed` only if every instance came back (settled-status.ts).
    const event = await actions.finishAction(actionId, (counts) => settledStatus(status, counts));
    if (event) out.push(event);
  };
  const work = execute(actionId, ctx, actions, emit, end, opts.resume ?? false)
    .catch(async (e) => {
      console.error(`[fleet-doctor] action ${actionId} failed:`, e);
      // (if the store itself failed, there is nothing more to record)
      await end("failed").catch(() => undefined);
    })
    .finally(() => {
      out.close();
    });
  yield* out.drain();
  await work;
}

type Emit = (event: ActionEvent, write?: ActionWrite) => Promise<void>;
/** Ends the action (its final event, its claims and lease released): see ActionAuditStore.finishAction. */
type End = (status: Exclude<ActionStatus, "running">) => Promise<void>;
type RecordOutcome = (o: Omit<InstanceOutcome, "at">) => Promise<void>;

async function execute(
  actionId: string,
  ctx: ActionContext,
  actions: ActionAuditStore,
  emit: Emit,
  end: End,
  resume: boolean,
) {
  const detail = await actions.detail(actionId);
  if (!detail) throw new Error(`no action ${actionId}`);
  if (detail.status !== "running") return;
  // Never send one fleet's restart with another fleet's clients (the same id may be another instance there).
  if (detail.fleet && ctx.clientsFleet && detail.fleet !== ctx.clientsFleet.id)
    throw new Error(`action ${actionId} is of fleet ${detail.fleet}, not ${ctx.clientsFleet.id}`);
  if (resume) await emit({ type: "resumed", pid: process.pid, at: now() });

  const accepted = detail.targets.filter((t) => t.decision === "accepted").map((t) => t.instanceId);
  if (accepted.length === 0) return end("refused");

  const decided = new Set(detail.outcomes.map((o) => o.instanceId));
  let errors = detail.outcomes.filter((o) => o.outcome !== "registered" && o.outcome !== "skipped").length;
  const record: RecordOutcome = async (o) => {
    const outcome: InstanceOutcome = { ...o, at: now() };
    decided.add(o.instanceId);
    if (outcome.outcome !== "registered" && outcome.outcome !== "skipped") errors++;
    await emit({ type: "instance-outcome", outcome, at: outcome.at }, { kind: "outcome", outcome });
  };
  const comment = commentOf(detail);

  // 1. Commands already sent (by a process that died): collect them, never send again.
  const sentIds = new Set<string>();
  for (const c of detail.commands) {
    for (const id of c.instanceIds) sentIds.add(id);
    const open = c.instanceIds.filter((id) => !decided.has(id));
    if (open.length > 0) await restartBatch(actionId, ctx, detail, { sent: c.commandId, ids: open }, emit, record);
  }
  // 2. A batch whose SendCommand may or may not have gone out when the process died: never send it again; ask SSM
  // whether it arrived (collect it if so), and say "not sent" only when SSM has no such command.
  let interrupted = false;
  const events = await actions.eventsSince(actionId, 0);
  for (const { event } of events) {
    if (event.type !== "batch-sending") continue;
    const open = event.instanceIds.filter((id) => !sentIds.has(id) && !decided.has(id));
    if (open.length === 0) continue;
    if (events.some((e) => e.event.type === "batch-failed" && e.event.batch === event.batch)) {
      for (const id of open) await record({ instanceId: id, outcome: "error", message: "SendCommand failed." });
      continue;
    }
    const found = await sentBefore(ctx, open[0]!, event.at, comment);
    if (found) {
      for (const id of found.instanceIds) sentIds.add(id);
      await emit(
        { type: "batch-sent", batch: event.batch, commandId: found.commandId, instanceIds: open, at: now() },
        { kind: "command", batch: event.batch, commandId: found.commandId, instanceIds: open },
      );
      await restartBatch(actionId, ctx, detail, { sent: found.commandId, ids: open }, emit, record);
      continue;
    }
    interrupted = true;
    for (const id of open) {
      await record(
        found === null
          ? {
              instanceId: id,
              outcome: "skipped",
              message: "Fleet Doctor stopped before this restart reached SSM; nothing was sent. Ask again.",
            }
          : {
              instanceId: id,
              outcome: "unknown",
              message:
                "Fleet Doctor stopped while sending this restart and SSM could not say whether it arrived; it was not sent again. Scan the instance to see its state.",
            },
      );
    }
  }
  // 3. What was never sent.
  const rest = accepted.filter((id) => !decided.has(id));
  if (resume) {
    for (const id of rest) {
      await record({
        instanceId: id,
        outcome: "skipped",
        message: "Fleet Doctor restarted before this batch was sent; nothing was sent. Ask again.",
      });
    }
    return end(interrupted || rest.length > 0 ? "interrupted" : "completed");
  }
  let batch = detail.commands.length;
  for (const ids of chunks(rest, detail.maxConcurrency)) {
    if (errors > detail.maxErrors) {
      const skipped = accepted.filter((id) => !decided.has(id));
      await emit({
        type: "halted",
        reason: `${errors} instance(s) did not come back, more than the ${detail.maxErrors} allowed.`,
        skipped,
        at: now(),
      });
      for (const id of skipped)
        await record({
          instanceId: id,
          outcome: "skipped",
          message: "Not sent: the action stopped after too many failures.",
        });
      return end("halted");
    }
    batch++;
    await emit({ type: "batch-sending", batch, instanceIds: ids, at: now() });
    const sentBatch = batch;
    await restartBatch(actionId, ctx, detail, { batch: sentBatch, ids }, emit, record, (commandId, sentIds) =>
      emit(
        { type: "batch-sent", batch: sentBatch, commandId, instanceIds: sentIds, at: now() },
        { kind: "command", batch: sentBatch, commandId, instanceIds: sentIds },
      ),
    );
  }
  return end("completed");
}

/** The comment every SendCommand of an action carries: how a process that takes it over finds them in SSM. */
const commentOf = (detail: ActionDetail) => `fleet-doctor ${detail.kind} ${detail.id}`;

/**
 * Whether SSM has a command this action sent to `instanceId` since (a minute before) `since`: the command, null
 * when SSM has none (nothing was sent), undefined when SSM could not be asked.
 */
async function sentBefore(ctx: ActionContext, instanceId: string, since: string, comment: string) {
  try {
    const after = new Date(Date.parse(since) - 60_000);
    const found = await findSentCommands(ctx.clients.ssm, { instanceId, after, comment });
    return found[0] ?? null;
  } catch (e) {
    console.error(`[fleet-doctor] could not list the commands sent to ${instanceId}:`, e);
    return undefined;
  }
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
  emit: Emit,
  record: RecordOutcome,
  onSent?: (commandId: string, ids: string[]) => Promise<void>,
) {
  const { ids } = batch;
  const results = new Map<string, Omit<InstanceOutcome, "at">>();
  const pollMs = ctx.pollMs ?? 1500;
  for await (const e of runCommand({
    ssm: ctx.clients.ssm,
    instanceIds: batch.sent ? [] : ids,
    ...(batch.sent ? { sent: [{ commandId: batch.sent, instanceIds: ids }] } : {}),
    commands: restartCommands(detail.kind, { waitSeconds: detail.waitSeconds }),
    comment: commentOf(detail),
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
        await onSent?.(e.commandId, e.instanceIds);
        break;
      case "send-failed":
        await emit({
          type: "batch-failed",
          batch: batch.batch ?? 0,
          instanceIds: e.instanceIds,
          error: e.error,
          at: now(),
        });
        for (const id of e.instanceIds)
          await record({ instanceId: id, outcome: "error", message: `SendCommand failed: ${e.error}` });
        break;
      case "not-managed":
        results.set(e.instanceId, {
          instanceId: e.instanceId,
          outcome: "not-delivered",
          message: "SSM no longer manages this instance as online (InvalidInstanceId): nothing was sent to it.",
        });
        break;
      case "status":
        await emit({ type: "instance-status", instanceId: e.instanceId, status: e.status, at: now() });
        break;
      case "result": {
        const r = e.result;
        const o = outcomeOfInvocation(r.instanceId, r.commandId, r.status, r.statusDetails, r.fullOutput);
        results.set(r.instanceId, o);
        await emit({
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
  emit: Emit,
  record: RecordOutcome,
) {
  const reached = ids.filter((id) => results.has(id) && results.get(id)?.outcome !== "not-delivered");
  const after = new Map<string, { verdict: InstanceOutcome["verdictAfter"]; summary: string; scanId: string }>();
  if (reached.length > 0) {
    await emit({ type: "rediagnosing", instanceIds: reached, at: now() });
    try {
      // Stored under the action's fleet (its clients'), never under what STS says of the default credentials.
      const scanCtx = ctx.clientsFleet ? { ...ctx, fleet: ctx.clientsFleet } : ctx;
      const scanId = await rediagnose(reached, scanCtx, `action:${actionId}`);
      // The scan's events are slim; its results are read once, from the store.
      for (const r of scanId ? await ctx.store.scanResults(scanId) : []) {
        after.set(r.instanceId, { verdict: r.verdict, summary: r.summary, scanId: r.scanId });
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
    await record({
      ...o,
      outcome,
      ...(message ? { message } : {}),
      ...(a ? { verdictAfter: a.verdict, summaryAfter: a.summary, scanId: a.scanId } : {}),
    });
  }
}
