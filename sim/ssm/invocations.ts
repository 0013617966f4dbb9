/**
 * Run Command's state: commands, their per-instance invocations and the lifecycle that moves them
 * Pending -> InProgress -> Success | Failed | TimedOut | Cancelled, with the host's delivery latency from the
 * scenario, MaxConcurrency / MaxErrors, delivery timeouts for offline hosts, and cancellation.
 */
import { randomUUID } from "node:crypto";
import type { ExecResult, Fleet, HostInfo } from "../fleet-types.ts";

export type InvocationStatus =
  | "Pending"
  | "InProgress"
  | "Delayed"
  | "Success"
  | "Cancelled"
  | "TimedOut"
  | "Failed"
  | "Cancelling";
const TERMINAL = new Set<InvocationStatus>(["Success", "Cancelled", "TimedOut", "Failed"]);
export const isTerminal = (s: InvocationStatus) => TERMINAL.has(s);

export type Invocation = {
  commandId: string;
  instanceId: string;
  status: InvocationStatus;
  statusDetails: string;
  requestedAt: Date;
  /** GetCommandInvocation says InvocationDoesNotExist before this (epoch ms): SSM creates invocations lazily. */
  visibleAt: number;
  startedAt?: Date;
  endedAt?: Date;
  responseCode: number;
  stdout: string;
  stderr: string;
  dispatched: boolean;
  abort?: AbortController;
};

export type Command = {
  commandId: string;
  documentName: string;
  documentVersion: string;
  comment: string;
  parameters: Record<string, string[]>;
  instanceIds: string[];
  targets: { Key: string; Values: string[] }[];
  requestedAt: Date;
  timeoutSeconds: number;
  maxConcurrency: string;
  maxErrors: string;
  commands: string[];
  executionTimeoutSeconds: number;
  workingDirectory?: string;
  invocations: Invocation[];
  cancelRequested: boolean;
  /** Set once the error count passed MaxErrors: no further invocations are sent. */
  haltedByErrors: boolean;
  inFlight: number;
  /** The region of the fleet it was sent in (OutputS3Region). */
  region: string;
};

export type NewCommand = Omit<
  Command,
  "commandId" | "requestedAt" | "invocations" | "cancelRequested" | "haltedByErrors" | "inFlight" | "region"
> & {
  resolvedInstanceIds: string[];
};

export type StoreOptions = {
  /** How long (ms) after SendCommand an invocation stays invisible to Get/ListCommandInvocations. */
  invisibleMs?: number;
  /** The fleet's region, for the commands' OutputS3Region (default us-east-1). */
  region?: string;
};

const MAX_TIMER_MS = 2 ** 31 - 1;

/** "50" -> 50, "10%" of 7 -> 1 (concurrency rounds up, at least 1; errors round down). */
function resolveCount(spec: string, total: number, round: "up" | "down"): number {
  if (spec.endsWith("%")) {
    const share = (Number(spec.slice(0, -1)) / 100) * total;
    return round === "up" ? Math.max(1, Math.ceil(share)) : Math.floor(share);
  }
  return Number(spec);
}

export class CommandStore {
  private readonly commands = new Map<string, Command>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;
  private readonly invisibleMs: number;
  private readonly region: string;

  constructor(
    private readonly fleet: Fleet,
    opts: StoreOptions = {},
  ) {
    this.invisibleMs = opts.invisibleMs ?? 250;
    this.region = opts.region ?? "us-east-1";
  }

  send(input: NewCommand): Command {
    const { resolvedInstanceIds, ...rest } = input;
    const requestedAt = new Date();
    const commandId = randomUUID();
    const cmd: Command = {
      ...rest,
      commandId,
      requestedAt,
      region: this.region,
      cancelRequested: false,
      haltedByErrors: false,
      inFlight: 0,
      invocations: resolvedInstanceIds.map((instanceId) => ({
        commandId,
        instanceId,
        status: "Pending",
        statusDetails: "Pending",
        requestedAt,
        visibleAt: requestedAt.getTime() + this.invisibleMs,
        responseCode: -1,
        stdout: "",
        stderr: "",
        dispatched: false,
      })),
    };
    this.commands.set(commandId, cmd);
    // At ExpiresAfter, invocations that have not started (queued by MaxConcurrency or undelivered) will not run.
    this.later(cmd.timeoutSeconds * 1000, () => {
      for (const inv of cmd.invocations)
        if (inv.status === "Pending") this.finish(cmd, inv, "TimedOut", "DeliveryTimedOut");
    });
    this.pump(cmd);
    return cmd;
  }

  get(commandId: string): Command | undefined {
    return this.commands.get(commandId);
  }

  /** Newest first, as ListCommands answers. */
  list(): Command[] {
    return [...this.commands.values()].reverse();
  }

  /** CancelCommand: stops pending and running invocations of the command (of `instanceIds` when given). */
  cancel(cmd: Command, instanceIds?: string[]): void {
    const only = instanceIds && instanceIds.length > 0 ? new Set(instanceIds) : undefined;
    if (!only) cmd.cancelRequested = true;
    for (const inv of cmd.invocations) {
      if (only && !only.has(inv.instanceId)) continue;
      if (isTerminal(inv.status)) continue;
      if (only) cmd.cancelRequested = true;
      if (inv.abort) {
        // Running: the script is killed; the invocation ends Cancelled when the process is gone.
        inv.status = "Cancelling";
        inv.statusDetails = "Cancelling";
        inv.abort.abort();
      } else {
        this.finish(cmd, inv, "Cancelled", "Cancelled");
      }
    }
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const cmd of this.commands.values()) for (const inv of cmd.invocations) inv.abort?.abort();
  }

  /** setTimeout that also waits longer than its 24.8-day limit (TimeoutSeconds goes up to 30 days). */
  private later(ms: number, fn: () => void): void {
    if (this.closed) return;
    const step = Math.min(ms, MAX_TIMER_MS);
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (this.closed) return;
      if (ms > MAX_TIMER_MS) this.later(ms - MAX_TIMER_MS, fn);
      else fn();
    }, step);
    this.timers.add(t);
  }

  /** Sends the next invocations while MaxConcurrency allows and MaxErrors has not been passed. */
  private pump(cmd: Command): void {
    const total = cmd.invocations.length;
    const concurrency = resolveCount(cmd.maxConcurrency, total, "up");
    const maxErrors = resolveCount(cmd.maxErrors, total, "down");
    if (!cmd.haltedByErrors && errorCount(cmd) > maxErrors) cmd.haltedByErrors = true;
    for (const inv of cmd.invocations) {
      if (inv.dispatched || isTerminal(inv.status)) continue;
      if (cmd.haltedByErrors) {
        // Past MaxErrors SSM stops sending the command to further targets.
        this.finish(cmd, inv, "Cancelled", "Cancelled");
        continue;
      }
      if (cmd.inFlight >= concurrency) break;
      this.dispatch(cmd, inv);
    }
  }

  private dispatch(cmd: Command, inv: Invocation): void {
    inv.dispatched = true;
    cmd.inFlight++;
    const host = this.fleet.host(inv.instanceId);
    const deliveryMs = host ? this.fleet.timing(inv.instanceId).deliveryMs : 0;
    const deadline = cmd.requestedAt.getTime() + cmd.timeoutSeconds * 1000;

    if (!host || host.stopped || host.pingStatus !== "Online") {
      const mode = host ? whenOffline(host) : "undeliverable";
      if (mode === "delivery-timeout") {
        this.later(Math.max(0, deadline - Date.now()), () => this.finish(cmd, inv, "TimedOut", "DeliveryTimedOut"));
      } else {
        this.later(deliveryMs, () => this.finish(cmd, inv, "Failed", "Undeliverable"));
      }
      return;
    }
    if (Date.now() + deliveryMs > deadline) {
      this.later(Math.max(0, deadline - Date.now()), () => this.finish(cmd, inv, "TimedOut", "DeliveryTimedOut"));
      return;
    }
    this.later(deliveryMs, () => this.start(cmd, inv));
  }

  private start(cmd: Command, inv: Invocation): void {
    if (isTerminal(inv.status)) return;
    const abort = new AbortController();
    inv.abort = abort;
    inv.status = "InProgress";
    inv.statusDetails = "InProgress";
    inv.startedAt = new Date();
    let run: Promise<ExecResult>;
    try {
      run = this.fleet.run(inv.instanceId, cmd.commands, {
        executionTimeoutSeconds: cmd.executionTimeoutSeconds,
        signal: abort.signal,
        workingDirectory: cmd.workingDirectory,
      });
    } catch (e) {
      run = Promise.reject(e);
    }
    run.then(
      (result) => {
        inv.stdout = result.stdout;
        inv.stderr = result.stderr;
        inv.responseCode = result.exitCode;
        if (abort.signal.aborted) this.finish(cmd, inv, "Cancelled", "Cancelled");
        else if (result.timedOut) this.finish(cmd, inv, "TimedOut", "ExecutionTimedOut");
        else if (result.exitCode === 0) this.finish(cmd, inv, "Success", "Success");
        else this.finish(cmd, inv, "Failed", "Failed");
      },
      (error: unknown) => {
        // The agent reports a plugin that could not run as Failed with the reason on stderr.
        inv.stderr = `failed to run commands: ${(error as Error)?.message ?? String(error)}`;
        inv.responseCode = 1;
        this.finish(
          cmd,
          inv,
          abort.signal.aborted ? "Cancelled" : "Failed",
          abort.signal.aborted ? "Cancelled" : "Failed",
        );
      },
    );
  }

  private finish(cmd: Command, inv: Invocation, status: InvocationStatus, details: string): void {
    if (isTerminal(inv.status)) return;
    inv.status = status;
    inv.statusDetails = details;
    inv.endedAt = new Date();
    inv.abort = undefined;
    if (inv.dispatched) cmd.inFlight--;
    if (!this.closed) this.pump(cmd);
  }
}

function whenOffline(host: HostInfo): "undeliverable" | "delivery-timeout" {
  const mode = (host as HostInfo & { whenOffline?: string }).whenOffline;
  return mode === "delivery-timeout" ? "delivery-timeout" : "undeliverable";
}

/** Invocations that count against MaxErrors: Failed and Execution Timed Out (not Undeliverable). */
export function errorCount(cmd: Command): number {
  return cmd.invocations.filter((i) => i.statusDetails === "Failed" || i.statusDetails === "ExecutionTimedOut").length;
}

/** The command's own Status, StatusDetails and counts, derived from its invocations. */
export function commandState(cmd: Command): {
  status: string;
  statusDetails: string;
  targetCount: number;
  completedCount: number;
  errorCount: number;
  deliveryTimedOutCount: number;
} {
  const invs = cmd.invocations;
  const completed = invs.filter((i) => isTerminal(i.status)).length;
  const errors = errorCount(cmd);
  const deliveryTimedOut = invs.filter((i) => i.statusDetails === "DeliveryTimedOut").length;
  const counts = {
    targetCount: invs.length,
    completedCount: completed,
    errorCount: errors,
    deliveryTimedOutCount: deliveryTimedOut,
  };
  if (completed < invs.length) {
    const status = cmd.cancelRequested
      ? "Cancelling"
      : invs.some((i) => i.status !== "Pending")
        ? "InProgress"
        : "Pending";
    return { status, statusDetails: status, ...counts };
  }
  const notSuccess = invs.filter((i) => i.status !== "Success");
  if (notSuccess.length === 0) return { status: "Success", statusDetails: "Success", ...counts };
  if (cmd.cancelRequested && notSuccess.some((i) => i.status === "Cancelled"))
    return { status: "Cancelled", statusDetails: "Cancelled", ...counts };
  const maxErrors = resolveCount(cmd.maxErrors, invs.length, "down");
  if (errors > maxErrors) return { status: "Failed", statusDetails: "Failed", ...counts };
  if (notSuccess.every((i) => i.statusDetails === "DeliveryTimedOut"))
    return { status: "TimedOut", statusDetails: "DeliveryTimedOut", ...counts };
  return { status: "Failed", statusDetails: "Incomplete", ...counts };
}
