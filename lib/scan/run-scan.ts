import type { CommandInvocation } from "@aws-sdk/client-ssm";
import pLimit from "p-limit";
import type { Clients } from "../aws/clients.ts";
import { cancelCommand, getInvocation, listInvocations, RUN_SHELL_PLUGIN, sendShellCommand } from "../aws/commands.ts";
import { errorName, isThrottling, isTransient } from "../aws/errors.ts";
import { identifyFleet } from "../aws/fleet.ts";
import { describeManagedIds, inventoryPages } from "../aws/inventory.ts";
import type { Config } from "../config.ts";
import { type ErrorCode, isFleetDoctorError } from "../errors.ts";
import { probeCommands } from "../probe/scripts.ts";
import { markGone, recordScanFleet } from "../store/fleets.ts";
import { requireScan, type Store } from "../store/store.ts";
import { channel } from "./channel.ts";
import { CONTENT_TRUNCATED, combineOutput, hasTruncationMarker, normaliseStatus, TERMINAL_STATUSES } from "./output.ts";
import { pacer, sleep } from "./pace.ts";
import { buildResult } from "./result.ts";
import type { InvocationOutcome, ScanEvent, Target, Targets } from "./types.ts";

export type ScanTuning = {
  /** Wait after SendCommand before the first look at a command. */
  firstPollMs: number;
  /** Poll interval while results are arriving; it grows by half each round nothing changes, up to maxPollMs. */
  minPollMs: number;
  maxPollMs: number;
  /** ListCommandInvocations calls in flight at once (on top of the pollRate pacing). */
  pollConcurrency: number;
};

export const DEFAULT_TUNING: ScanTuning = { firstPollMs: 1500, minPollMs: 1000, maxPollMs: 8000, pollConcurrency: 4 };

export type ScanContext = {
  clients: Clients;
  store: Store;
  config: Pick<Config, "sendRate" | "pollRate" | "probeTimeoutSeconds" | "deliveryTimeoutSeconds">;
  signal?: AbortSignal;
  /** A scan row created beforehand (startScan does, to answer with its id at once); otherwise one is created. */
  scanId?: string;
  actor?: string;
  tuning?: Partial<ScanTuning>;
};

type Pending = {
  ids: Set<string>;
  sentAt: number;
  nextPollAt: number;
  interval: number;
  lastStatus: Map<string, string>;
};

const SEND_ATTEMPTS = 3;
const WARN_EVERY_MS = 5_000;
const now = () => new Date().toISOString();

/**
 * One scan as an async generator of events (each stored before it is yielded): inventory; SendCommand of the probe
 * in batches of <= 50 online instances, paced under config.sendRate; collection with ListCommandInvocations
 * (Details=true, pages of 50) whose interval adapts, GetCommandInvocation only for truncated output; parse and
 * diagnose; one `instance` event per instance as its result arrives. Offline instances are diagnosed from SSM's
 * facts without a send. Throttling, failed batches and vanished instances are reported and never end the scan.
 * Aborting `ctx.signal` cancels the outstanding commands and ends the scan `cancelled`.
 */
export async function* runScan(targets: Targets, ctx: ScanContext): AsyncGenerator<ScanEvent> {
  const { store } = ctx;
  const scanId = ctx.scanId
    ? requireScan(store, ctx.scanId).id
    : store.createScan({ targets, ...(ctx.actor ? { actor: ctx.actor } : {}) }).id;
  const out = channel<ScanEvent>();
  const internal = new AbortController();
  const onAbort = () => internal.abort(ctx.signal?.reason);
  if (ctx.signal?.aborted) onAbort();
  else ctx.signal?.addEventListener("abort", onAbort, { once: true });

  const emit = (event: ScanEvent, write?: () => void) => {
    store.transaction(() => {
      write?.();
      store.appendEvent(scanId, event);
    });
    out.push(event);
  };

  let finished = false;
  const work = execute(scanId, targets, ctx, internal.signal, emit).finally(() => {
    finished = true;
    out.close();
  });
  try {
    yield* out.drain();
    await work;
  } finally {
    // The consumer stopped early (break / return): treat it as a cancel so nothing keeps running unseen.
    if (!finished) internal.abort(new Error("scan consumer stopped"));
    await work.catch(() => {});
    ctx.signal?.removeEventListener("abort", onAbort);
  }
}

type Emit = (event: ScanEvent, write?: () => void) => void;

async function execute(scanId: string, targets: Targets, ctx: ScanContext, signal: AbortSignal, emit: Emit) {
  const { store, clients, config } = ctx;
  const tuning = { ...DEFAULT_TUNING, ...ctx.tuning };
  const pending = new Map<string, Pending>();
  const done = new Set<string>();
  const byId = new Map<string, Target>();

  // Throttling and 5xx, per operation, across every attempt the SDK made (it retries them itself).
  const trouble = new Map<string, number>();
  let troubleTotal = 0;
  let lastWarnAt = 0;
  let lastWarnTotal = 0;
  const troubleText = () =>
    `${troubleTotal} AWS call attempts throttled or failed with 5xx so far (${[...trouble]
      .map(([op, n]) => `${op} ${n}`)
      .join(", ")}); retried`;
  const unobserve = clients.observe((a) => {
    if (!isThrottling({ name: a.code }) && !(a.status !== undefined && a.status >= 500)) return;
    trouble.set(a.operation, (trouble.get(a.operation) ?? 0) + 1);
    troubleTotal++;
    if (Date.now() - lastWarnAt >= WARN_EVERY_MS) {
      lastWarnAt = Date.now();
      lastWarnTotal = troubleTotal;
      emit({ type: "warning", kind: "throttled", message: troubleText(), at: now() });
    }
  });

  const finish = (target: Target, outcome: InvocationOutcome, rawOutput = "") => {
    if (done.has(target.instanceId)) return;
    done.add(target.instanceId);
    const result = buildResult(scanId, target, outcome, rawOutput);
    emit({ type: "instance", result, at: result.probedAt }, () => store.saveResult(result, rawOutput));
  };
  const targetOf = (id: string): Target => byId.get(id) ?? { instanceId: id, pingStatus: "Unknown" };
  const notSent = (statusDetails: string): InvocationOutcome => ({
    status: "NotSent",
    statusDetails,
    output: "",
    truncated: false,
  });
  const end = (status: "completed" | "cancelled" | "failed", error?: string, errorCode?: ErrorCode) => {
    if (troubleTotal > lastWarnTotal) emit({ type: "warning", kind: "throttled", message: troubleText(), at: now() });
    const counts = store.transaction(() => {
      store.finishScan(scanId, status, undefined, error);
      return store.getScan(scanId)?.counts ?? {};
    });
    emit({ type: "scan-finished", status, counts, ...(errorCode ? { errorCode } : {}), at: now() });
  };

  try {
    emit({ type: "scan-started", scanId, targets, at: now() });
    // Every result belongs to the fleet (account, region) it was read from: named once per scan.
    // The region is the one the scan's own clients read (config, or the SDK's chain).
    recordScanFleet(store, scanId, (await identifyFleet({ region: await clients.ssm.config.region() })).id);
    const commands = probeCommands();
    const sendPace = pacer(config.sendRate);
    const readPace = pacer(config.pollRate);
    const queue: { ids: string[]; attempts: number }[] = [];
    const deadlineMs = (config.deliveryTimeoutSeconds + config.probeTimeoutSeconds + 60) * 1000;
    let sending = true;
    let failure: unknown;
    let listing = true;
    let wakeSender: (() => void) | undefined;
    const wake = () => {
      wakeSender?.();
      wakeSender = undefined;
    };
    // Membership of each instance is merged into its target once its page's lookup answers; results wait on it.
    const ready = new Map<string, Promise<void>>();

    // Inventory runs alongside sending: each page's online instances are queued for SendCommand as they arrive.
    const inventory = (async () => {
      let total = 0;
      let online = 0;
      let buffer: string[] = [];
      const offlineDone: Promise<void>[] = [];
      try {
        for await (const page of inventoryPages(clients, targets, signal, pLimit(2))) {
          const merged = page.membership.then((map) => {
            for (const t of page.targets) {
              const m = map.get(t.instanceId);
              if (m) byId.set(t.instanceId, { ...targetOf(t.instanceId), ...m });
            }
          });
          merged.catch(() => {}); // awaited where the membership is needed
          for (const t of page.targets) {
            if (byId.has(t.instanceId)) continue; // listed twice (ids given twice, a page boundary moving)
            byId.set(t.instanceId, t);
            ready.set(t.instanceId, merged);
            total++;
            if (t.pingStatus === "Online") {
              online++;
              buffer.push(t.instanceId);
            } else {
              offlineDone.push(merged.then(() => finish(targetOf(t.instanceId), notSent(t.pingStatus))));
            }
          }
          while (buffer.length >= 50) {
            queue.push({ ids: buffer.slice(0, 50), attempts: 0 });
            buffer = buffer.slice(50);
            wake();
          }
        }
        if (buffer.length > 0) queue.push({ ids: buffer, attempts: 0 });
      } finally {
        listing = false;
        wake();
      }
      emit({ type: "inventory", total, online, offline: total - online, at: now() }, () =>
        store.setTotal(scanId, total),
      );
      await Promise.all(offlineDone);
    })();
    inventory.catch((e) => {
      failure ??= e;
    });

    const onSendError = async (batch: { ids: string[]; attempts: number }, e: unknown) => {
      const code = errorName(e);
      // Results below carry membership: wait for this batch's lookups (a failed lookup fails the scan elsewhere).
      await Promise.all(batch.ids.map((id) => ready.get(id)?.catch(() => {})));
      if (code === "InvalidInstanceId") {
        // One id SSM no longer accepts fails the whole call: find which, report them, send the rest again.
        let known: Map<string, Target>;
        try {
          known = new Map((await describeManagedIds(clients.ssm, batch.ids, signal)).map((t) => [t.instanceId, t]));
        } catch (err) {
          signal.throwIfAborted();
          known = new Map();
          emit({
            type: "warning",
            kind: "retry",
            message: `DescribeInstanceInformation failed (${errorName(err)})`,
            at: now(),
          });
        }
        const gone = batch.ids.filter((id) => known.get(id)?.pingStatus !== "Online");
        for (const id of gone) {
          emit({
            type: "warning",
            kind: "vanished",
            instanceId: id,
            message: `${id} is no longer an online managed instance (InvalidInstanceId)`,
            at: now(),
          });
          const t = targetOf(id);
          finish({ ...t, pingStatus: known.get(id)?.pingStatus ?? "Unknown" }, notSent("InvalidInstanceId"));
        }
        const rest = batch.ids.filter((id) => !gone.includes(id));
        if (gone.length > 0) {
          if (rest.length > 0) queue.unshift({ ids: rest, attempts: batch.attempts });
          return;
        }
      } else if (isTransient(e) && batch.attempts + 1 < SEND_ATTEMPTS) {
        batch.attempts++;
        emit({
          type: "warning",
          kind: "retry",
          message: `SendCommand failed (${code}); will send these ${batch.ids.length} again`,
          at: now(),
        });
        queue.push(batch);
        return;
      }
      const message = `${code}: ${String((e as Error)?.message ?? e).slice(0, 300)}`;
      emit({ type: "batch-failed", instanceIds: batch.ids, error: message, at: now() });
      for (const id of batch.ids) {
        finish(
          targetOf(id),
          { status: "Failed", statusDetails: "SendCommandFailed", output: message, truncated: false },
          "",
        );
      }
    };

    const sender = (async () => {
      try {
        while (queue.length > 0 || listing) {
          if (queue.length === 0) {
            await new Promise<void>((resolve) => {
              wakeSender = resolve;
            });
            continue;
          }
          const batch = queue.shift()!;
          await sendPace.take(signal);
          try {
            const commandId = await sendShellCommand(clients.ssm, {
              instanceIds: batch.ids,
              commands,
              deliveryTimeoutSeconds: config.deliveryTimeoutSeconds,
              executionTimeoutSeconds: config.probeTimeoutSeconds,
              comment: `fleet-doctor scan ${scanId}`,
              signal,
            });
            const t = Date.now();
            pending.set(commandId, {
              ids: new Set(batch.ids),
              sentAt: t,
              nextPollAt: t + tuning.firstPollMs,
              interval: tuning.minPollMs,
              lastStatus: new Map(),
            });
            emit({ type: "batch-sent", commandId, instanceIds: batch.ids, at: now() });
          } catch (e) {
            signal.throwIfAborted();
            await onSendError(batch, e);
          }
        }
      } finally {
        sending = false;
      }
    })();

    // Awaited below; this only keeps a cancel (which rejects it) from counting as an unhandled rejection.
    sender.catch(() => {});

    const collect = async (commandId: string, inv: CommandInvocation, status: string) => {
      const id = inv.InstanceId!;
      const plugin = inv.CommandPlugins?.find((p) => p.Name === RUN_SHELL_PLUGIN) ?? inv.CommandPlugins?.[0];
      const output = plugin?.Output ?? "";
      let raw = output;
      let truncated = false;
      if (hasTruncationMarker(output)) {
        truncated = true;
        for (let attempt = 0; attempt < 3; attempt++) {
          try {
            await readPace.take(signal);
            const full = await getInvocation(clients.ssm, commandId, id, signal);
            const stdout = full.StandardOutputContent ?? "";
            raw = combineOutput(stdout, full.StandardErrorContent ?? "");
            // The report is on stdout: only a cut there loses it.
            truncated = stdout.endsWith(CONTENT_TRUNCATED);
            break;
          } catch (e) {
            signal.throwIfAborted();
            // Right after a command, GetCommandInvocation may not know the invocation yet: that means "not yet".
            if (errorName(e) !== "InvocationDoesNotExist" && !isTransient(e)) break;
            await sleep(tuning.minPollMs, signal);
          }
        }
        if (truncated) {
          emit({
            type: "warning",
            kind: "truncated",
            instanceId: id,
            message: `${id}: probe output was truncated and the full output could not be read`,
            at: now(),
          });
        }
      }
      await ready.get(id);
      const details = normaliseStatus(plugin?.StatusDetails ?? inv.StatusDetails);
      finish(
        targetOf(id),
        {
          commandId,
          status,
          ...(details ? { statusDetails: details } : {}),
          ...(plugin?.ResponseCode !== undefined ? { responseCode: plugin.ResponseCode } : {}),
          output,
          truncated,
        },
        raw,
      );
    };

    const poll = async (commandId: string, c: Pending) => {
      let invocations: CommandInvocation[];
      try {
        await readPace.take(signal);
        invocations = await listInvocations(clients.ssm, commandId, signal);
      } catch (e) {
        signal.throwIfAborted();
        emit({
          type: "warning",
          kind: "retry",
          message: `ListCommandInvocations ${commandId}: ${errorName(e)}; will look again`,
          at: now(),
        });
        c.interval = Math.min(c.interval * 2, tuning.maxPollMs);
        c.nextPollAt = Date.now() + c.interval;
        return;
      }
      let changed = false;
      const before = c.ids.size;
      for (const inv of invocations) {
        const id = inv.InstanceId;
        if (!id || !c.ids.has(id)) continue;
        const status = normaliseStatus(inv.Status) ?? "Pending";
        if (c.lastStatus.get(id) !== status) changed = true;
        c.lastStatus.set(id, status);
        if (!TERMINAL_STATUSES.has(status)) continue;
        c.ids.delete(id);
        await collect(commandId, inv, status);
      }
      if (c.ids.size > 0 && Date.now() - c.sentAt > deadlineMs) {
        // SSM should have ended every invocation by now (delivery + execution timeouts): stop waiting.
        for (const id of c.ids) {
          finish(
            targetOf(id),
            {
              commandId,
              status: c.lastStatus.get(id) ?? "Pending",
              statusDetails: "NoResult",
              output: "",
              truncated: false,
            },
            "",
          );
        }
        c.ids.clear();
      }
      if (c.ids.size === 0) {
        pending.delete(commandId);
        return;
      }
      // Most of a batch answers at once and a tail trickles in: look again soon while many arrive, then back off.
      const progress = (before - c.ids.size) / before;
      c.interval = progress >= 0.25 ? tuning.minPollMs : Math.min(c.interval * (changed ? 1.3 : 1.6), tuning.maxPollMs);
      c.nextPollAt = Date.now() + c.interval;
    };

    const limit = pLimit(tuning.pollConcurrency);
    const inFlight = new Map<string, Promise<void>>();
    while (sending || pending.size > 0) {
      if (failure) throw failure;
      signal.throwIfAborted();
      const t = Date.now();
      const due = [...pending]
        .filter(([id, c]) => c.nextPollAt <= t && !inFlight.has(id))
        .sort((a, b) => a[1].nextPollAt - b[1].nextPollAt);
      for (const [id, c] of due) {
        const p = limit(() => poll(id, c))
          .catch((e) => {
            failure ??= e;
          })
          .finally(() => inFlight.delete(id));
        inFlight.set(id, p);
      }
      let nextDue = Number.POSITIVE_INFINITY;
      for (const [id, c] of pending) if (!inFlight.has(id)) nextDue = Math.min(nextDue, c.nextPollAt);
      await sleep(Math.max(20, Math.min(nextDue - Date.now(), 250)), signal);
      if (!sending && pending.size > 0 && inFlight.size === pending.size) await Promise.race(inFlight.values());
    }
    await Promise.all(inFlight.values());
    await sender;
    await inventory;
    if (failure) throw failure;
    // A full scan sees the whole fleet: what it did not see is gone (out of counts, kept with its last verdict).
    if (targets.kind === "all") store.transaction(() => markGone(store, scanId));
    end("completed");
  } catch (e) {
    if (signal.aborted) {
      // Cancel what is still running on instances; a cancel that fails must not hide the scan's end.
      await Promise.allSettled([...pending.keys()].map((id) => cancelCommand(clients.ssm, id)));
      end("cancelled");
      return;
    }
    const message = String((e as Error)?.message ?? e).slice(0, 500);
    end("failed", message, isFleetDoctorError(e) ? e.code : "INTERNAL");
  } finally {
    unobserve();
  }
}
