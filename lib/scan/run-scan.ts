import { channel } from "../async/channel.ts";
import type { Clients } from "../aws/clients.ts";
import { ECS_READ_RATE, type EcsView, readEcsView } from "../aws/ecs.ts";
import { isThrottling } from "../aws/errors.ts";
import { type Fleet, identifyFleet } from "../aws/fleet.ts";
import { isInstanceId } from "../aws/ids.ts";
import type { Membership } from "../aws/inventory.ts";
import { inventoryPages } from "../aws/inventory.ts";
import { pacer } from "../aws/pace.ts";
import { type InvocationResult, type RunCommandTuning, runCommand } from "../aws/run-command.ts";
import { findCommandsByComment } from "../aws/scan-commands.ts";
import type { Config } from "../config.ts";
import type { EcsFacts } from "../diagnosis/facts.ts";
import { type ErrorCode, isFleetDoctorError } from "../errors.ts";
import { probeCommands } from "../probe/scripts.ts";
import type { ScanWrite, Store } from "../store/interfaces.ts";
import { requireScan } from "../store/store.ts";
import { ecsFactsOf, needsLifecycle } from "./ecs-facts.ts";
import { partialNote } from "./partial-note.ts";
import { buildResult, instanceEvent, parseOutcome } from "./result.ts";
import type { InvocationOutcome, ScanEvent, ScanStatus, Target, Targets } from "./types.ts";

export type ScanTuning = RunCommandTuning;

export type ScanContext = {
  clients: Clients;
  store: Store;
  config: Pick<Config, "sendRate" | "pollRate" | "probeTimeoutSeconds" | "deliveryTimeoutSeconds" | "joinGraceSeconds">;
  signal?: AbortSignal;
  /** A scan row created beforehand (startScan does, to answer with its id at once); otherwise one is created. */
  scanId?: string;
  /** The fleet the scan reads, when the caller named it first (startScan does, to create the row under it). */
  fleet?: Fleet;
  actor?: string;
  tuning?: Partial<ScanTuning>;
  /**
   * Take over the scan `scanId` whose owner died (the caller took its lease: lib/scan/resume-scans.ts): collect the
   * commands it sent (stored, or found in SSM by their Comment), never sending them again; probe the targets never
   * sent; finish the same scan.
   */
  resume?: boolean;
};

const WARN_EVERY_MS = 5_000;
/** Events per write at most: a store that fell behind catches up in transactions of a bounded size. */
const MAX_WRITE = 1000;
const now = () => new Date().toISOString();

/**
 * One scan as an async generator of events (each stored before it is yielded), in named steps: `takeInventory`
 * (SSM's managed instances joined with Auto Scaling membership, a page at a time, and alongside it ECS's view of the
 * container instances, read once; a full scan adds the container instances SSM does not manage); `probe` (the Run Command runner
 * sends the probe to the online ones as they are listed and collects each result); `diagnose` (parse, diagnose,
 * store one `instance` event per instance as its result arrives; offline and unmanaged instances from SSM's facts
 * without a send); `finish`. Throttling, failed batches and vanished instances are reported and never end the scan.
 * Invocations SSM has not ended by their deadline are recorded unresolved, and the scan then ends `partial`.
 * Aborting `ctx.signal` cancels the outstanding commands and ends the scan `cancelled`.
 */
/**
 * The fleet the scan's clients read: STS's account of the clients' own credentials (an assumed role names its
 * member account, not the account that assumed it), or the endpoint's name, in their region.
 */
export async function fleetOf(clients: Clients): Promise<Fleet> {
  return identifyFleet({ region: await clients.ssm.config.region() }, process.env, clients.ssm.config.credentials);
}

export async function* runScan(targets: Targets, ctx: ScanContext): AsyncGenerator<ScanEvent> {
  const { store } = ctx;
  // The fleet (account, region) is named before the row exists: at most one scan of a fleet runs at a time, and
  // the store decides that as it creates the row (CONFLICT naming the running one). The region is the one the
  // scan's own clients read (config, or the SDK's chain).
  const fleet = ctx.fleet ?? (await fleetOf(ctx.clients));
  const scanId = ctx.scanId
    ? (await requireScan(store, ctx.scanId)).id
    : (await store.createScan({ targets, fleet: fleet.id, ...(ctx.actor ? { actor: ctx.actor } : {}) })).id;
  const out = channel<ScanEvent>();
  const internal = new AbortController();
  // Aborted by the caller, or by a cancel asked for from any process (the lease's heartbeat hears it).
  const signals = [store.scanCancelSignal(scanId), ...(ctx.signal ? [ctx.signal] : [])];
  const onAbort = (e: Event) => internal.abort((e.target as AbortSignal).reason);
  for (const s of signals) {
    if (s.aborted) internal.abort(s.reason);
    else s.addEventListener("abort", onAbort, { once: true });
  }

  // Events are stored in order, each with the row it describes, before they are yielded. Those that arrive while a
  // write is under way (a page of results comes at once) are stored together by the next write, in one transaction:
  // a write per event would make the store, not AWS, the scan's pace on a database across a network. A failed
  // write stops the storing (the store is broken); `settled` reports it so the scan's end says so.
  const queue: { event: ScanEvent; write?: ScanWrite; stored: () => void }[] = [];
  let writing: Promise<void> | undefined;
  let writeFailed: unknown;
  const writeQueued = async () => {
    while (queue.length > 0) {
      const batch = queue.splice(0, MAX_WRITE);
      if (!writeFailed) {
        try {
          await store.appendEvents(
            scanId,
            batch.map(({ event, write }) => ({ event, ...(write ? { write } : {}) })),
          );
          for (const { event } of batch) out.push(event);
        } catch (e) {
          writeFailed = e;
        }
      }
      for (const { stored } of batch) stored();
    }
    writing = undefined;
  };
  const emit: Emit = Object.assign(
    (event: ScanEvent, write?: ScanWrite) => {
      const stored = new Promise<void>((resolve) => {
        queue.push({ event, ...(write ? { write } : {}), stored: resolve });
      });
      writing ??= writeQueued();
      return stored;
    },
    {
      settled: async () => {
        while (writing) await writing;
        return writeFailed;
      },
      deliver: (event: ScanEvent) => out.push(event),
    },
  );

  let finished = false;
  const work = execute(scanId, targets, { ...ctx, fleet }, internal.signal, emit).finally(() => {
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
    for (const s of signals) s.removeEventListener("abort", onAbort);
  }
}

type Emit = ((event: ScanEvent, write?: ScanWrite) => Promise<void>) & {
  /** Resolves once every event so far is stored: with the error if a write failed. */
  settled(): Promise<unknown>;
  /** Yields an event the store has already stored (the final one, which finishScan writes). */
  deliver(event: ScanEvent): void;
};

/** What the steps of one scan share. */
type Scan = {
  id: string;
  ctx: ScanContext;
  signal: AbortSignal;
  emit: Emit;
  /** Every instance listed so far, membership merged in once its lookup answers. */
  byId: Map<string, Target>;
  /** Settles when an instance's membership is known: its result waits on it. */
  ready: Map<string, Promise<void>>;
  done: Set<string>;
  unresolved: number;
  notSent: number;
  /** ECS's view, read alongside the inventory; undefined when ECS could not be read (the scan's note says why). */
  ecs: Promise<EcsView | undefined>;
  /** The account and region read (for cluster ARNs in ecs.config files). */
  home: { region: string; account?: string };
};

async function execute(
  scanId: string,
  targets: Targets,
  ctx: ScanContext & { fleet: Fleet },
  signal: AbortSignal,
  emit: Emit,
) {
  const scan: Scan = {
    id: scanId,
    ctx,
    signal,
    emit,
    byId: new Map(),
    ready: new Map(),
    done: new Set(),
    unresolved: 0,
    notSent: 0,
    ecs: Promise.resolve(undefined),
    home: { region: "" },
  };
  const trouble = watchThrottling(ctx.clients, emit);
  let prior: PriorWork | undefined;
  // The listing stops with the scan, and on its own when the probe step fails.
  const stopListing = new AbortController();
  let inventory: Promise<void> | undefined;
  try {
    if (ctx.resume) {
      emit({ type: "resumed", pid: process.pid, at: now() });
      prior = await priorWork(scan);
    } else emit({ type: "scan-started", scanId, targets, at: now() });
    // Every result belongs to the fleet (account, region) it was read from: named once per scan.
    const { fleet } = ctx;
    await ctx.store.recordScanFleet(scanId, fleet.id);
    scan.home = { region: fleet.region, ...(fleet.source === "sts" ? { account: fleet.account } : {}) };
    const online = channel<string[]>();
    inventory = takeInventory(scan, targets, online, AbortSignal.any([signal, stopListing.signal]), prior?.skip);
    inventory.catch(() => {}); // awaited below
    // A result of a command sent before waits for the inventory to list its instance (its group, its platform).
    const listed = inventory.catch(() => {});
    for (const s of prior?.sent ?? []) for (const id of s.instanceIds) scan.ready.set(id, listed);
    await probe(scan, online.drain(), prior?.sent);
    await inventory;
    trouble.flush();
    // A full scan sees the whole fleet: what it did not see is gone (out of counts, kept with its last verdict).
    if (targets.kind === "all") await ctx.store.markGone(scanId);
    await finish(scan, scan.unresolved + scan.notSent > 0 ? "partial" : "completed");
  } catch (e) {
    stopListing.abort(e);
    await inventory?.catch(() => {});
    trouble.flush();
    // The runner has cancelled what was outstanding on instances.
    if (signal.aborted) await finish(scan, "cancelled");
    // The error's code says why (AWS_ERROR when AWS could not be reached): the CLI's exit code rests on it.
    else
      await finish(
        scan,
        "failed",
        String((e as Error)?.message ?? e).slice(0, 500),
        isFleetDoctorError(e) ? e.code : "INTERNAL",
      );
  } finally {
    trouble.stop();
  }
}

/**
 * Step 1: the inventory, a page at a time. Online instances go to `online` for the probe as they are listed;
 * offline ones, and ids SSM does not manage, are diagnosed from SSM's facts once their membership is known. ECS's
 * view is read alongside (every result waits on it); a full scan also diagnoses the container instances ECS has
 * and SSM does not manage: ECS alone can say whether such an instance joined and is connected.
 */
async function takeInventory(
  scan: Scan,
  targets: Targets,
  online: ReturnType<typeof channel<string[]>>,
  signal: AbortSignal,
  /** A scan taken over: instances done or already sent, listed and counted but neither probed nor diagnosed. */
  skip: ReadonlySet<string> = new Set(),
) {
  const { byId, ready } = scan;
  let total = 0;
  let sent = 0;
  const withoutProbe: Promise<void>[] = [];
  scan.ecs = readEcs(scan, signal);
  let lastMembership: Promise<Map<string, Membership>> | undefined;
  try {
    // The listing is paced like the sends: SSM throttles DescribeInstanceInformation at about the same rate.
    const pace = pacer(scan.ctx.config.sendRate);
    for await (const page of inventoryPages(scan.ctx.clients, targets, signal, pace)) {
      lastMembership = page.membership;
      const merged = page.membership.then((map) => {
        for (const t of page.targets) {
          const m = map.get(t.instanceId);
          if (m) byId.set(t.instanceId, { ...targetOf(scan, t.instanceId), ...m });
        }
      });
      merged.catch(() => {}); // awaited where the membership is needed
      const ids: string[] = [];
      for (const t of page.targets) {
        if (byId.has(t.instanceId)) continue; // listed twice (ids given twice, a page boundary moving)
        byId.set(t.instanceId, t);
        ready.set(t.instanceId, merged);
        total++;
        if (skip.has(t.instanceId)) {
          if (t.pingStatus === "Online") sent++;
          continue;
        }
        if (t.pingStatus === "Online") ids.push(t.instanceId);
        else
          withoutProbe.push(
            diagnose(scan, t.instanceId, notSent(t.pingStatus === "Unknown" ? "NotManaged" : t.pingStatus)),
          );
      }
      sent += ids.length;
      if (ids.length > 0) online.push(ids);
    }
  } finally {
    online.close();
  }
  // A full scan: every group's membership is one lookup (the pages share it), which covers these instances too.
  if (targets.kind === "all") {
    const view = await scan.ecs;
    const extra = [...(view?.byInstance.keys() ?? [])].filter((id) => !byId.has(id) && isInstanceId(id));
    const merged = (lastMembership ?? Promise.resolve(new Map<string, Membership>())).then((map) => {
      for (const id of extra) {
        const m = map.get(id);
        if (m) byId.set(id, { ...targetOf(scan, id), ...m });
      }
    });
    merged.catch(() => {}); // awaited where the membership is needed
    for (const id of extra) {
      byId.set(id, { instanceId: id, pingStatus: "Unknown" });
      ready.set(id, merged);
      total++;
      if (skip.has(id)) continue;
      withoutProbe.push(diagnose(scan, id, notSent("NotManaged")));
    }
  }
  void scan.emit(
    { type: "inventory", total, online: sent, offline: total - sent, at: now() },
    { kind: "total", total },
  );
  await Promise.all(withoutProbe);
}

/** Step 2: the probe on every online instance through the Run Command runner; each event becomes a scan event. */
async function probe(scan: Scan, ids: AsyncIterable<string[]>, sent?: { commandId: string; instanceIds: string[] }[]) {
  const { ctx, emit } = scan;
  const { config } = ctx;
  for await (const e of runCommand({
    ssm: ctx.clients.ssm,
    instanceIds: ids,
    commands: probeCommands(),
    comment: commentOf(scan.id),
    deliveryTimeoutSeconds: config.deliveryTimeoutSeconds,
    executionTimeoutSeconds: config.probeTimeoutSeconds,
    sendRate: config.sendRate,
    pollRate: config.pollRate,
    resendOnServerError: true, // the probe is read-only: running it twice is harmless
    ...(sent && sent.length > 0 ? { sent } : {}),
    signal: scan.signal,
    ...(ctx.tuning ? { tuning: ctx.tuning } : {}),
  })) {
    switch (e.type) {
      case "sent":
        emit({ type: "batch-sent", commandId: e.commandId, instanceIds: e.instanceIds, at: now() });
        break;
      case "retry":
        emit({ type: "warning", kind: "retry", message: e.message, at: now() });
        break;
      case "send-failed":
        emit({ type: "batch-failed", instanceIds: e.instanceIds, error: e.error, at: now() });
        scan.notSent += e.instanceIds.length;
        for (const id of e.instanceIds) {
          await diagnose(scan, id, {
            status: "Failed",
            statusDetails: "SendCommandFailed",
            output: e.error,
            truncated: false,
          });
        }
        break;
      case "not-managed": {
        const message = `${e.instanceId} is no longer an online managed instance (InvalidInstanceId)`;
        emit({ type: "warning", kind: "vanished", instanceId: e.instanceId, message, at: now() });
        const t = targetOf(scan, e.instanceId);
        scan.byId.set(e.instanceId, { ...t, pingStatus: (e.pingStatus as Target["pingStatus"]) ?? "Unknown" });
        await diagnose(scan, e.instanceId, notSent("InvalidInstanceId"));
        break;
      }
      case "result": {
        const r = e.result;
        if (r.truncated) {
          const message = `${r.instanceId}: probe output was truncated and the full output could not be read`;
          emit({ type: "warning", kind: "truncated", instanceId: r.instanceId, message, at: now() });
        }
        await diagnose(scan, r.instanceId, outcomeOf(r), r.fullOutput);
        break;
      }
      case "unresolved":
        scan.unresolved++;
        await diagnose(scan, e.instanceId, {
          commandId: e.commandId,
          status: e.lastStatus,
          statusDetails: "Unresolved",
          waitedSeconds: Math.round(e.waitedMs / 1000),
          output: "",
          truncated: false,
        });
        break;
      case "status":
        break;
    }
  }
}

/** What the dead owner of a scan taken over did: the commands to collect, and the instances not to send again. */
type PriorWork = { sent: { commandId: string; instanceIds: string[] }[]; skip: Set<string> };

/**
 * Reads a scan's stored events (the dead owner's): instances with a result are done (and counted as they were:
 * unresolved, not sent); each stored `batch-sent` is collected for its instances without a result. A SendCommand
 * SSM accepted whose id was never stored is found in SSM by the scan's Comment and collected too. Nothing here
 * sends anything.
 */
async function priorWork(scan: Scan): Promise<PriorWork> {
  const { store } = scan.ctx;
  const byCommand = new Map<string, string[]>();
  let startedAt: string | undefined;
  for (let after = 0; ; ) {
    const page = await store.eventsSince(scan.id, after, MAX_WRITE);
    if (page.length === 0) break;
    after = page[page.length - 1]!.seq;
    for (const { event: e } of page) {
      if (e.type === "scan-started") startedAt = e.at;
      else if (e.type === "batch-sent")
        byCommand.set(e.commandId, [...(byCommand.get(e.commandId) ?? []), ...e.instanceIds]);
      else if (e.type === "batch-failed") scan.notSent += e.instanceIds.length;
      else if (e.type === "instance") {
        scan.done.add(e.instanceId);
        if (e.status.endsWith("Unresolved")) scan.unresolved++;
      }
    }
  }
  const since = Date.parse(startedAt ?? (await store.getScan(scan.id))?.startedAt ?? new Date().toISOString());
  for (const c of await findCommandsByComment(scan.ctx.clients.ssm, {
    after: new Date(since - 60_000),
    comment: commentOf(scan.id),
    signal: scan.signal,
  })) {
    if (!byCommand.has(c.commandId)) byCommand.set(c.commandId, c.instanceIds);
  }
  const skip = new Set(scan.done);
  const sent: PriorWork["sent"] = [];
  for (const [commandId, ids] of byCommand) {
    for (const id of ids) skip.add(id);
    const open = ids.filter((id) => !scan.done.has(id));
    if (open.length > 0) sent.push({ commandId, instanceIds: open });
  }
  return { sent, skip };
}

/** The Comment of every SendCommand of a scan: how a process taking it over finds the commands in SSM. */
const commentOf = (scanId: string) => `fleet-doctor scan ${scanId}`;

/**
 * ECS's view for the whole scan. A failure (AccessDenied: the policy lacks the ECS permissions; ECS unreachable) does
 * not fail the scan: it goes on without the view, says so in a warning and in the scan's note, and its results then
 * say nothing of registration (nothing can be concluded from a view not read).
 */
async function readEcs(scan: Scan, signal: AbortSignal): Promise<EcsView | undefined> {
  try {
    return await readEcsView(scan.ctx.clients.ecs, { signal, pace: pacer(ECS_READ_RATE) });
  } catch (e) {
    if (signal.aborted) return undefined;
    const why = String((e as Error)?.message ?? e).slice(0, 400);
    const message = `ECS could not be read, so this scan says nothing of ECS registration: ${why}`;
    await scan.ctx.store.recordEcsNote(scan.id, message).catch(() => {});
    void scan.emit({ type: "warning", kind: "ecs", message, at: now() });
    return undefined;
  }
}

/** Step 3: one instance's result, once its membership and ECS's view are known: parse, diagnose, store, yield. */
async function diagnose(scan: Scan, instanceId: string, outcome: InvocationOutcome, rawOutput = "") {
  await scan.ready.get(instanceId);
  const view = await scan.ecs;
  if (scan.done.has(instanceId)) return;
  scan.done.add(instanceId);
  const target = targetOf(scan, instanceId);
  const parsed = parseOutcome(outcome, rawOutput);
  let ecs: EcsFacts | undefined;
  if (view) {
    // Only an unregistered InService member's time in service matters; a store that cannot say leaves it unknown.
    const seen = needsLifecycle(view, target)
      ? await scan.ctx.store.lifecycleSeen(instanceId, scan.ctx.fleet?.id).catch(() => undefined)
      : undefined;
    ecs = ecsFactsOf({
      view,
      target,
      ...(parsed?.ok ? { report: parsed.report } : {}),
      ...(seen ? { seen } : {}),
      now: new Date(),
      graceSeconds: scan.ctx.config.joinGraceSeconds,
      home: scan.home,
    });
  }
  const result = buildResult(scan.id, target, outcome, rawOutput, {
    ...(parsed ? { parsed } : {}),
    ...(ecs ? { ecs } : {}),
  });
  void scan.emit(instanceEvent(result), { kind: "result", result, rawOutput });
}

/**
 * Step 4: the scan's end. `partial` when some instances have no true result: still running at their deadline
 * (unresolved) or never sent (SendCommand failed); the note says how many of each.
 */
async function finish(
  scan: Scan,
  status: Exclude<ScanStatus, "running" | "interrupted">,
  error?: string,
  errorCode?: ErrorCode,
) {
  // Every event before the last is stored first; a failed write fails the scan, whose end is still recorded.
  const failed = await scan.emit.settled();
  const note = failed
    ? `Storing the scan failed: ${String((failed as Error)?.message ?? failed).slice(0, 400)}`
    : status === "partial"
      ? partialNote(scan.unresolved, scan.notSent)
      : error;
  const last = await scan.ctx.store.finishScan(
    scan.id,
    failed ? "failed" : status,
    note,
    failed
      ? { errorCode: "INTERNAL" }
      : status === "partial"
        ? { unresolved: scan.unresolved, notSent: scan.notSent }
        : errorCode
          ? { errorCode }
          : undefined,
  );
  if (last) scan.emit.deliver(last.event);
}

const targetOf = (scan: Scan, id: string): Target => scan.byId.get(id) ?? { instanceId: id, pingStatus: "Unknown" };

const outcomeOf = (r: InvocationResult): InvocationOutcome => ({
  commandId: r.commandId,
  status: r.status,
  ...(r.statusDetails ? { statusDetails: r.statusDetails } : {}),
  ...(r.responseCode !== undefined ? { responseCode: r.responseCode } : {}),
  output: r.output,
  truncated: r.truncated,
});

const notSent = (statusDetails: string): InvocationOutcome => ({
  status: "NotSent",
  statusDetails,
  output: "",
  truncated: false,
});

/** Throttling and 5xx, per operation, across every attempt the SDK made (it retries them itself), as warnings. */
function watchThrottling(clients: Clients, emit: Emit) {
  const trouble = new Map<string, number>();
  let total = 0;
  let lastWarnAt = 0;
  let lastWarnTotal = 0;
  const warn = () => {
    lastWarnAt = Date.now();
    lastWarnTotal = total;
    const byOp = [...trouble].map(([op, n]) => `${op} ${n}`).join(", ");
    const message = `${total} AWS call attempts throttled or failed with 5xx so far (${byOp}); retried`;
    emit({ type: "warning", kind: "throttled", message, at: now() });
  };
  const stop = clients.observe((a) => {
    if (!isThrottling({ name: a.code }) && !(a.status !== undefined && a.status >= 500)) return;
    trouble.set(a.operation, (trouble.get(a.operation) ?? 0) + 1);
    total++;
    if (Date.now() - lastWarnAt >= WARN_EVERY_MS) warn();
  });
  return {
    /** The last count, when it changed since the last warning. */
    flush: () => {
      if (total > lastWarnTotal) warn();
    },
    stop,
  };
}
