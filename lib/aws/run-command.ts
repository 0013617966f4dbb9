import type { CommandInvocation, SSMClient } from "@aws-sdk/client-ssm";
import pLimit from "p-limit";
import { channel } from "../async/channel.ts";
import {
  CONTENT_TRUNCATED,
  combineOutput,
  hasTruncationMarker,
  normaliseStatus,
  TERMINAL_STATUSES,
} from "./command-output.ts";
import { cancelCommand, getInvocation, listInvocations, RUN_SHELL_PLUGIN, sendShellCommand } from "./commands.ts";
import { errorName, isThrottling, isTransient } from "./errors.ts";
import { describeManagedIds } from "./inventory.ts";
import { pacer, sleep } from "./pace.ts";

/**
 * The one Run Command runner (the scan's probe, the restart, and later the watcher): SendCommand in batches of
 * <= 50, paced under a send rate; collection with ListCommandInvocations (Details=true, pages of 50) at an adaptive
 * interval, paced under a read rate; GetCommandInvocation only when the plugin Output was truncated; a deadline per
 * command (delivery + execution timeout) after which what is still open is reported unresolved, never dropped;
 * CancelCommand of what is outstanding when aborted. Plain inputs, an async generator of events out: the caller
 * decides what a result means.
 */

export type RunCommandTuning = {
  /** Wait after SendCommand before the first look at a command, once every batch is sent. */
  firstPollMs: number;
  /** The interval after the first look; it grows by `growth` each look, up to maxPollMs. */
  minPollMs: number;
  /** The longest interval; also the first wait and every interval while batches are still being sent. */
  maxPollMs: number;
  growth: number;
  /** ListCommandInvocations calls in flight at once (on top of the read-rate pacing). */
  pollConcurrency: number;
  /** Time past delivery + execution timeout that SSM is given to report an invocation's end. */
  graceMs: number;
};

export const DEFAULT_TUNING: RunCommandTuning = {
  firstPollMs: 1500,
  minPollMs: 3000,
  maxPollMs: 8000,
  growth: 1.2,
  pollConcurrency: 4,
  graceMs: 10_000,
};

export type RunCommandInput = {
  ssm: SSMClient;
  /** Where to run: a list, or pages of ids as a caller finds them (sending starts with the first full batch). */
  instanceIds: readonly string[] | AsyncIterable<readonly string[]>;
  commands: string[];
  comment: string;
  deliveryTimeoutSeconds: number;
  executionTimeoutSeconds: number;
  /** SendCommand calls per second, at most. */
  sendRate: number;
  /** ListCommandInvocations and GetCommandInvocation calls per second, at most. */
  pollRate: number;
  /** Instances per SendCommand (1..50; default 50). Each command runs on all of its instances at once. */
  batchSize?: number;
  /**
   * Send a batch again after a 5xx. Only for commands that are safe to run twice (a probe): a 5xx may come after
   * SSM took the command. Throttling, which SSM answers before taking anything, is always retried.
   */
  resendOnServerError?: boolean;
  /** Commands sent before (by a process that died): collected, never sent again. */
  sent?: { commandId: string; instanceIds: string[] }[];
  signal?: AbortSignal;
  tuning?: Partial<RunCommandTuning>;
};

/** One invocation that reached a terminal status, with its output (the full output when the plugin's was cut). */
export type InvocationResult = {
  commandId: string;
  instanceId: string;
  status: string;
  statusDetails?: string;
  responseCode?: number;
  /** The plugin Output as ListCommandInvocations gave it (at most 2,500 characters). */
  output: string;
  /** The full output when it could be read (GetCommandInvocation), otherwise `output`. */
  fullOutput: string;
  /** The plugin Output was cut and the full stdout could not be read. */
  truncated: boolean;
};

export type RunCommandEvent =
  | { type: "sent"; commandId: string; instanceIds: string[] }
  | { type: "send-failed"; instanceIds: string[]; error: string }
  /** SendCommand refused an id (InvalidInstanceId) that SSM does not list as online now; it was left out. */
  | { type: "not-managed"; instanceId: string; pingStatus?: string }
  | { type: "retry"; message: string }
  | { type: "status"; commandId: string; instanceId: string; status: string }
  | { type: "result"; result: InvocationResult }
  /** Still not terminal at the command's deadline: SSM's last status, and how long it was waited for. */
  | { type: "unresolved"; commandId: string; instanceId: string; lastStatus: string; waitedMs: number };

type Emit = (e: RunCommandEvent) => void;

type Open = {
  ids: Set<string>;
  sentAt: number;
  deadline: number;
  nextPollAt: number;
  interval: number;
  lastStatus: Map<string, string>;
};

const SEND_ATTEMPTS = 3;
const SENDS_IN_FLIGHT = 2;

export async function* runCommand(input: RunCommandInput): AsyncGenerator<RunCommandEvent> {
  const out = channel<RunCommandEvent>();
  const internal = new AbortController();
  const onAbort = () => internal.abort(input.signal?.reason);
  if (input.signal?.aborted) onAbort();
  else input.signal?.addEventListener("abort", onAbort, { once: true });
  let finished = false;
  const work = drive(input, internal.signal, (e) => out.push(e)).finally(() => {
    finished = true;
    out.close();
  });
  work.catch(() => {}); // awaited below
  try {
    yield* out.drain();
    await work;
  } finally {
    // The consumer stopped early: stop too (and cancel what is outstanding) so nothing keeps running unseen.
    if (!finished) internal.abort(new Error("run-command consumer stopped"));
    await work.catch(() => {});
    input.signal?.removeEventListener("abort", onAbort);
  }
}

async function drive(input: RunCommandInput, signal: AbortSignal, emit: Emit): Promise<void> {
  const tuning = { ...DEFAULT_TUNING, ...input.tuning };
  const open = new Map<string, Open>();
  const readPace = pacer(input.pollRate);
  const track = (commandId: string, ids: string[]) => {
    const t = Date.now();
    open.set(commandId, {
      ids: new Set(ids),
      sentAt: t,
      deadline: t + (input.deliveryTimeoutSeconds + input.executionTimeoutSeconds) * 1000 + tuning.graceMs,
      // While batches are still being sent, the first look waits longer (see collectAll).
      nextPollAt: t + (state.sending ? tuning.maxPollMs : tuning.firstPollMs),
      interval: tuning.minPollMs,
      lastStatus: new Map(),
    });
  };
  const state = { sending: true, failure: undefined as unknown };
  for (const s of input.sent ?? []) track(s.commandId, s.instanceIds);

  const sender = sendAll(input, signal, emit, track).then(
    () => {
      state.sending = false;
    },
    (e) => {
      state.sending = false;
      state.failure ??= e;
    },
  );
  try {
    await collectAll(input, tuning, open, state, readPace, signal, emit);
    await sender;
    if (state.failure) throw state.failure;
  } catch (e) {
    if (signal.aborted) {
      // Cancel what is still running on instances; a cancel that fails must not hide the abort.
      await Promise.allSettled([...open.keys()].map((id) => cancelCommand(input.ssm, id)));
    }
    throw e;
  }
}

/** Batches of `batchSize` ids as they arrive (a last, shorter batch when the input ends). */
async function* batchesOf(ids: RunCommandInput["instanceIds"], size: number): AsyncGenerator<string[]> {
  const pages = Symbol.asyncIterator in ids ? ids : [ids as readonly string[]];
  let buffer: string[] = [];
  for await (const page of pages) {
    buffer.push(...page);
    while (buffer.length >= size) {
      yield buffer.slice(0, size);
      buffer = buffer.slice(size);
    }
  }
  if (buffer.length > 0) yield buffer;
}

/**
 * Every batch, SendCommand paced under `sendRate`; up to two in flight, so the time a SendCommand takes to answer
 * does not add to the pacing gap (at 10,000 instances that is 200 round trips).
 */
async function sendAll(
  input: RunCommandInput,
  signal: AbortSignal,
  emit: Emit,
  track: (commandId: string, ids: string[]) => void,
): Promise<void> {
  const sendPace = pacer(input.sendRate);
  const size = Math.min(50, Math.max(1, input.batchSize ?? 50));
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  for await (const batch of batchesOf(input.instanceIds, size)) {
    if (inFlight.size >= SENDS_IN_FLIGHT) await Promise.race(inFlight);
    if (failure) throw failure;
    await sendPace.take(signal);
    const p: Promise<void> = sendBatch(input, batch, sendPace, signal, emit, track)
      .catch((e) => {
        failure ??= e;
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  if (failure) throw failure;
}

/** One batch (its pacing slot taken): sent, or sent again after throttling, or reported failed. */
async function sendBatch(
  input: RunCommandInput,
  batch: string[],
  sendPace: ReturnType<typeof pacer>,
  signal: AbortSignal,
  emit: Emit,
  track: (commandId: string, ids: string[]) => void,
): Promise<void> {
  let ids = batch;
  for (let attempt = 1; ids.length > 0; attempt++) {
    if (attempt > 1) await sendPace.take(signal);
    try {
      const commandId = await sendShellCommand(input.ssm, {
        instanceIds: ids,
        commands: input.commands,
        deliveryTimeoutSeconds: input.deliveryTimeoutSeconds,
        executionTimeoutSeconds: input.executionTimeoutSeconds,
        comment: input.comment,
        signal,
      });
      track(commandId, ids);
      emit({ type: "sent", commandId, instanceIds: ids });
      return;
    } catch (e) {
      signal.throwIfAborted();
      const code = errorName(e);
      if (code === "InvalidInstanceId") {
        const rest = await leaveOutUnmanaged(input.ssm, ids, signal, emit);
        if (rest.length < ids.length) {
          ids = rest;
          continue;
        }
      }
      const again = isThrottling(e) || (input.resendOnServerError === true && isTransient(e));
      if (again && attempt < SEND_ATTEMPTS) {
        emit({ type: "retry", message: `SendCommand failed (${code}); will send these ${ids.length} again` });
        continue;
      }
      const error = `${code}: ${String((e as Error)?.message ?? e).slice(0, 300)}`;
      emit({ type: "send-failed", instanceIds: ids, error });
      return;
    }
  }
}

/** One id SSM no longer accepts fails the whole SendCommand: find which, report them, return the rest. */
async function leaveOutUnmanaged(ssm: SSMClient, ids: string[], signal: AbortSignal, emit: Emit): Promise<string[]> {
  let known: Map<string, string>;
  try {
    known = new Map((await describeManagedIds(ssm, ids, signal)).map((t) => [t.instanceId, t.pingStatus]));
  } catch (e) {
    signal.throwIfAborted();
    emit({ type: "retry", message: `DescribeInstanceInformation failed (${errorName(e)})` });
    known = new Map();
  }
  const rest: string[] = [];
  for (const id of ids) {
    const ping = known.get(id);
    if (ping === "Online") rest.push(id);
    else emit({ type: "not-managed", instanceId: id, ...(ping ? { pingStatus: ping } : {}) });
  }
  return rest;
}

type SendState = { sending: boolean; failure: unknown };

/**
 * Polls every open command when it is due, a few at a time, until nothing is open and nothing more will be sent.
 *
 * Two plans. While batches are still being sent the run cannot end before the last of them answers, so looking
 * early at a batch only shows its results sooner, at one ListCommandInvocations call per look: each command is
 * looked at every maxPollMs, which finds most batches complete at the first look (at 10,000 instances sending lasts
 * about 40 s; bench/scan.ts went from 2.8 to 1.5 calls per batch of 50). Once everything is sent the looks are timed
 * for the end instead: what is still open is looked at firstPollMs after its SendCommand and then at growing
 * intervals, on the schedule it would have had without the first plan, so the last results are read as soon as before.
 */
async function collectAll(
  input: RunCommandInput,
  tuning: RunCommandTuning,
  open: Map<string, Open>,
  state: SendState,
  readPace: ReturnType<typeof pacer>,
  signal: AbortSignal,
  emit: Emit,
): Promise<void> {
  const limit = pLimit(tuning.pollConcurrency);
  const inFlight = new Map<string, Promise<void>>();
  const look = (commandId: string, c: Open) =>
    limit(() => poll(input, tuning, commandId, c, readPace, signal, emit, () => state.sending))
      .then(() => {
        if (c.ids.size === 0) open.delete(commandId);
      })
      .catch((e) => {
        state.failure ??= e;
      })
      .finally(() => inFlight.delete(commandId));
  let endPlan = false;
  while (state.sending || open.size > 0) {
    if (state.failure) throw state.failure;
    signal.throwIfAborted();
    const t = Date.now();
    if (!state.sending && !endPlan) {
      endPlan = true;
      for (const c of open.values()) rejoinEndPlan(c, tuning, t);
    }
    for (const [id, c] of [...open].sort((a, b) => a[1].nextPollAt - b[1].nextPollAt)) {
      if (c.nextPollAt <= t && !inFlight.has(id)) inFlight.set(id, look(id, c));
    }
    let nextDue = Number.POSITIVE_INFINITY;
    for (const [id, c] of open) if (!inFlight.has(id)) nextDue = Math.min(nextDue, c.nextPollAt);
    await sleep(Math.max(20, Math.min(nextDue - Date.now(), 250)), signal);
    if (!state.sending && open.size > 0 && inFlight.size === open.size) await Promise.race(inFlight.values());
  }
  await Promise.all(inFlight.values());
  if (state.failure) throw state.failure;
}

/**
 * Everything is sent: from now on the command is looked at when the end plan alone would have looked at it (its
 * SendCommand + firstPollMs, then growing intervals), so its last results are read no later than before.
 */
function rejoinEndPlan(c: Open, tuning: RunCommandTuning, t: number) {
  let at = c.sentAt + tuning.firstPollMs;
  let interval = tuning.minPollMs;
  while (at < t) {
    at += interval;
    interval = Math.min(interval * tuning.growth, tuning.maxPollMs);
  }
  c.nextPollAt = Math.min(c.nextPollAt, at, c.deadline);
  c.interval = interval;
}

/** One look at a command: results of what ended, unresolved past the deadline, and when to look next. */
async function poll(
  input: RunCommandInput,
  tuning: RunCommandTuning,
  commandId: string,
  c: Open,
  readPace: ReturnType<typeof pacer>,
  signal: AbortSignal,
  emit: Emit,
  sending: () => boolean,
): Promise<void> {
  try {
    await readPace.take(signal);
    const invocations = await listInvocations(input.ssm, commandId, signal);
    for (const inv of invocations) {
      const id = inv.InstanceId;
      if (!id || !c.ids.has(id)) continue;
      const status = normaliseStatus(inv.Status) ?? "Pending";
      if (c.lastStatus.get(id) !== status) {
        c.lastStatus.set(id, status);
        emit({ type: "status", commandId, instanceId: id, status });
      }
      if (!TERMINAL_STATUSES.has(status)) continue;
      c.ids.delete(id);
      emit({ type: "result", result: await readResult(input, tuning, commandId, inv, status, readPace, signal) });
    }
  } catch (e) {
    signal.throwIfAborted();
    // Right after SendCommand SSM may not know the command yet; any failure is looked at again until the deadline.
    emit({ type: "retry", message: `ListCommandInvocations ${commandId}: ${errorName(e)}; will look again` });
    c.interval = Math.min(c.interval * 2, tuning.maxPollMs);
  }
  const t = Date.now();
  if (c.ids.size > 0 && t >= c.deadline) {
    // SSM should have ended every invocation by now (delivery + execution timeouts): say so rather than wait on.
    for (const id of c.ids) {
      const lastStatus = c.lastStatus.get(id) ?? "Pending";
      emit({ type: "unresolved", commandId, instanceId: id, lastStatus, waitedMs: t - c.sentAt });
    }
    c.ids.clear();
  }
  if (c.ids.size === 0) return;
  if (sending()) {
    // More batches are going out: the run's end is not near, so no hurry (see collectAll).
    c.nextPollAt = Math.min(t + tuning.maxPollMs, c.deadline);
    return;
  }
  // Most of a batch answers within a second or two and a tail trickles in over several: after the first look,
  // look again at growing intervals, so a batch costs about three ListCommandInvocations calls, not one a second.
  c.nextPollAt = Math.min(t + c.interval, c.deadline);
  c.interval = Math.min(c.interval * tuning.growth, tuning.maxPollMs);
}

/** The invocation's outcome; its full output from GetCommandInvocation only when the plugin Output was cut. */
async function readResult(
  input: RunCommandInput,
  tuning: RunCommandTuning,
  commandId: string,
  inv: CommandInvocation,
  status: string,
  readPace: ReturnType<typeof pacer>,
  signal: AbortSignal,
): Promise<InvocationResult> {
  const id = inv.InstanceId!;
  const plugin = inv.CommandPlugins?.find((p) => p.Name === RUN_SHELL_PLUGIN) ?? inv.CommandPlugins?.[0];
  const output = plugin?.Output ?? "";
  let fullOutput = output;
  let truncated = false;
  if (hasTruncationMarker(output)) {
    truncated = true;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await readPace.take(signal);
        const full = await getInvocation(input.ssm, commandId, id, signal);
        const stdout = full.StandardOutputContent ?? "";
        fullOutput = combineOutput(stdout, full.StandardErrorContent ?? "");
        // A report is on stdout: only a cut there loses it.
        truncated = stdout.endsWith(CONTENT_TRUNCATED);
        break;
      } catch (e) {
        signal.throwIfAborted();
        // Right after a command, GetCommandInvocation may not know the invocation yet: that means "not yet".
        if (errorName(e) !== "InvocationDoesNotExist" && !isTransient(e)) break;
        await sleep(tuning.minPollMs, signal);
      }
    }
  }
  const statusDetails = normaliseStatus(plugin?.StatusDetails ?? inv.StatusDetails);
  return {
    commandId,
    instanceId: id,
    status,
    ...(statusDetails ? { statusDetails } : {}),
    ...(plugin?.ResponseCode !== undefined ? { responseCode: plugin.ResponseCode } : {}),
    output,
    fullOutput,
    truncated,
  };
}
