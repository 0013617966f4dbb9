import type {
  ActionDetail,
  ActionEvent,
  ActionRow,
  ActionStatus,
  ActionTarget,
  InstanceOutcome,
  InstanceOutcomeKind,
  StoredActionEvent,
} from "../actions/types.ts";
import type { AlertDelivery } from "../alerts/types.ts";
import type { AutopilotEntry, Policy } from "../autopilot/types.ts";
import type { Verdict } from "../diagnosis/types.ts";
import type { SweepFleet, SweepRow, SweepStatus } from "../scan/sweep-types.ts";
import type { InstanceResult, ScanEvent, ScanStatus, Targets } from "../scan/types.ts";
import type { WatchStatus } from "../watch/types.ts";
import type { FleetScope } from "./fleets.ts";
import type { InstanceSummary, LatestFilter, ScanRow, StoredEvent, StoredResult, VerdictCounts } from "./types.ts";

/*
 * The store's seams. Every verb returns a Promise so that a PostgreSQL implementation can plug in beside the
 * SQLite one (lib/store/store.ts) without touching a caller. A unit of work that writes several rows is one verb
 * (an event with the row it describes, an action with its claims), done atomically inside the store, so no caller
 * ever holds a transaction open across an await. No SQL and no connection leave this folder.
 */

/** What a scan's final event carries besides its status and counts. */
export type ScanFinishedExtra = Pick<
  Extract<ScanEvent, { type: "scan-finished" }>,
  "unresolved" | "notSent" | "errorCode"
>;

/** What an event's write stores with it, in the same transaction. */
export type ScanWrite =
  | { kind: "result"; result: InstanceResult; rawOutput: string }
  | { kind: "total"; total: number };

export interface ScanStore {
  /** A new `running` scan, leased to this store's owner until it finishes (or the owner stops renewing). */
  /**
   * Creates a running scan and takes its lease, in one transaction. With `fleet`, at most one scan of that fleet
   * runs at a time across every process on the database: a second start while one runs is refused with CONFLICT
   * naming the running scan (`details.scanId`), atomically (migrations/replicas-001.ts).
   */
  createScan(input: { targets: Targets; actor?: string; id?: string; fleet?: string }): Promise<ScanRow>;
  getScan(id: string): Promise<ScanRow | undefined>;
  /**
   * The scan's row and the seq of its last stored event, read together: a page shows the row's done/total, then
   * streams only the events after that seq (never every event to count them).
   */
  getScanProgress(id: string): Promise<{ scan: ScanRow; lastSeq: number } | undefined>;
  /** Newest first; `before` is a scan id (the last one of the previous page). */
  listScans(opts?: { limit?: number; before?: string }): Promise<ScanRow[]>;
  /** A scan over the same targets whose lease is alive (in this process or another). */
  runningScanFor(targets: Targets): Promise<ScanRow | undefined>;
  /**
   * Ends a running scan in one unit: status, counts (from its results), `scan-finished` stored, lease released.
   * Returns the stored final event, or undefined when the scan had already ended.
   */
  /** `extra` goes into the final event: a partial scan's counts, a failed scan's error code. */
  finishScan(
    id: string,
    status: Exclude<ScanStatus, "running">,
    error?: string,
    extra?: ScanFinishedExtra,
  ): Promise<StoredEvent | undefined>;
  /**
   * Asks whoever owns a running scan to stop (this process or another: its heartbeat notices). False when no live
   * owner holds it (it has ended, or its owner died and it is now `interrupted`).
   */
  requestScanCancel(id: string): Promise<boolean>;
  /** In the owner's process: aborted when a cancel of this scan is requested, or when its lease is lost. */
  scanCancelSignal(id: string): AbortSignal;
  /**
   * Marks `interrupted` every running scan whose owner died and nobody is to take over: its lease expired (an
   * unmarked scan, the CLI's), or expired more than a lease ago (a server's: ScanTakeoverStore); returns their ids.
   */
  interruptAbandonedScans(): Promise<string[]>;
}

/**
 * Taking over a server's scan whose owner died (lib/scan/resume-scans.ts). A scan marked for takeover is left
 * `running` for one lease after its lease ran out (a live server takes it over meanwhile); then, or at once for an
 * unmarked scan (the CLI's), interruptAbandonedScans ends it `interrupted`.
 */
export interface ScanTakeoverStore {
  /** Marks a running scan as one a server runs: another server may take it over when its owner dies. */
  markScanTakeover(id: string): Promise<void>;
  /**
   * Running scans marked for takeover whose lease has run out (their owner died) less than a lease ago (later, they
   * are to be interrupted), oldest first.
   */
  orphanedScans(): Promise<string[]>;
  /**
   * Takes a running, marked scan's lease for this owner when nobody live holds it, atomically: of two processes
   * trying at once one gets true. The taker then drives the scan (runScan with `resume`).
   */
  takeOverScan(id: string): Promise<boolean>;
}

export interface ScanEventStore {
  /** Stores the event (and `write`, atomically with it); returns its seq. */
  appendEvent(scanId: string, event: ScanEvent, write?: ScanWrite): Promise<number>;
  /**
   * Stores several events in order, each as appendEvent would (with its write), all in one transaction; returns
   * their seqs. What a scan uses for the events that arrived while its previous write was under way.
   */
  appendEvents(scanId: string, items: readonly { event: ScanEvent; write?: ScanWrite }[]): Promise<number[]>;
  eventsSince(scanId: string, afterSeq: number, limit?: number): Promise<StoredEvent[]>;
  /** Called after each event stored for this scan by this process (an in-process wake-up; no cross-process). */
  onScanEvent(scanId: string, listener: () => void): () => void;
}

export interface ResultStore {
  /**
   * Stores one result (with the raw probe output), updates `latest` and the scan's counts. The result's fleet is its
   * scan's (read from the scan's row: callers never pass it).
   */
  saveResult(result: InstanceResult, rawOutput: string): Promise<void>;
  /** Many results in one transaction (imports, benchmarks). */
  saveResults(items: { result: InstanceResult; rawOutput: string }[]): Promise<void>;
  /** The summary of every instance a scan stored, by instance id. */
  scanResults(scanId: string): Promise<InstanceSummary[]>;
  scanResult(scanId: string, instanceId: string): Promise<StoredResult | undefined>;
  /**
   * Newest first, with the raw probe output of each: the instance of `fleet` (an id is only unique inside one), or
   * without it the one in the fleet of its newest result. Results from before fleets were recorded go with either.
   */
  instanceHistory(instanceId: string, limit?: number, fleet?: string): Promise<StoredResult[]>;
  /** The latest result of the instance of `fleet`; without it, the newest across fleets. */
  latestResult(instanceId: string, fleet?: string): Promise<StoredResult | undefined>;
}

/**
 * The fleet as its latest results describe it. A scope (lib/store/fleets.ts) keeps one fleet's listing and counts
 * to itself and leaves gone instances out; without one, every fleet's instances count.
 */
export interface FleetStateStore extends FleetMembershipStore {
  /** The newest diagnosis of every instance in the scope, filtered and paginated, ordered by instance id. */
  latestResults(filter?: LatestFilter): Promise<{ total: number; items: InstanceSummary[] }>;
  /** Instances per (group or agent version, verdict) over the latest results; `key` is null when absent. */
  verdictsBy(
    column: "group" | "agentVersion",
    scope?: FleetScope,
  ): Promise<{ key: string | null; verdict: Verdict; n: number }[]>;
  /** Changes whenever the latest results change: a cheap key for caching what is computed from all of them. */
  latestVersion(): Promise<string>;
  verdictCounts(scope?: FleetScope): Promise<Record<Verdict, number>>;
}

/** What the scan's ECS join needs from the store. */
export interface EcsStore {
  /** Records why a scan went without ECS's view (shown with the scan). */
  recordEcsNote(scanId: string, note: string): Promise<void>;
  /**
   * What stored results saw of an instance's lifecycle: the last time it was not InService (another state, or in no
   * group), and the first time it was InService after that (the start of its current time in service, as seen).
   */
  /** Of the instance of `fleet`; without it, of the one in the fleet of its newest result. */
  lifecycleSeen(instanceId: string, fleet?: string): Promise<{ firstInService?: string; lastNotInService?: string }>;
}

/** Which fleet (`<account>/<region>`) each scan read, and the instances a full scan of a fleet no longer sees. */
export interface FleetMembershipStore {
  recordScanFleet(scanId: string, fleet: string): Promise<void>;
  scanFleet(scanId: string): Promise<string | undefined>;
  /**
   * After a completed full scan: marks gone (from the scan's start) every instance of its fleet (and from before
   * fleets were recorded) it did not see; other fleets' instances of the same id are untouched. Returns how many.
   */
  markGone(scanId: string): Promise<number>;
  /**
   * When and by which full scan (of which fleet) the instance of `fleet` was found gone, if it is gone now; without
   * `fleet`, the instance in the fleet of its newest result.
   */
  goneOf(instanceId: string, fleet?: string): Promise<{ since: string; scanId: string; fleet: string } | undefined>;
  /** The fleet an instance's newest latest result was read from (across fleets). */
  instanceFleet(instanceId: string): Promise<string | undefined>;
  /**
   * Every fleet with a latest result of this instance id, newest result first ('' for one from before fleets were
   * recorded): more than one means the id names several instances.
   */
  instanceFleets(instanceId: string): Promise<string[]>;
  /** Every fleet with results here, with how many instances (not gone) each has. */
  fleetsInStore(): Promise<{ fleet: string; instances: number }[]>;
}

/** How an action ends: a status, or the status its outcomes settle (read in the same transaction as they are). */
export type ActionEnd =
  | Exclude<ActionStatus, "running">
  | ((counts: Partial<Record<InstanceOutcomeKind, number>>) => Exclude<ActionStatus, "running">);

/** What an action event's write stores with it, in the same transaction. */
export type ActionWrite =
  | { kind: "outcome"; outcome: InstanceOutcome }
  | { kind: "command"; batch: number; commandId: string; instanceIds: string[] };

/**
 * Restart actions and their append-only audit trail. `action_inflight` is the claim that keeps one restart per
 * instance; a lease (like a scan's) says which process drives an action.
 */
export interface ActionAuditStore {
  /**
   * The unfinished action already restarting this instance of `fleet`, if any (an instance id is only unique inside
   * one fleet). Without a fleet (or ''), any fleet's.
   */
  inflightAction(instanceId: string, fleet?: string): Promise<string | undefined>;
  /**
   * Records the action atomically (and exclusively: two requests never claim one instance): instances another
   * unfinished action holds are `joined`, the others are claimed. `decide` gets the ids still free and returns each
   * target's decision; when none is new, nothing is recorded (`created: false`). The action is leased to this owner.
   */
  createAction(
    input: Omit<ActionRow, "status" | "counts" | "finishedAt">,
    decide: (free: Set<string>, joined: Map<string, string>) => ActionTarget[],
    started: (targets: ActionTarget[]) => ActionEvent,
  ): Promise<{ targets: ActionTarget[]; created: boolean }>;
  appendEvent(actionId: string, event: ActionEvent, write?: ActionWrite): Promise<number>;
  eventsSince(actionId: string, afterSeq: number, limit?: number): Promise<StoredActionEvent[]>;
  onActionEvent(actionId: string, listener: () => void): () => void;
  /**
   * Ends a running action in one unit: `action-finished` with the counts of its outcomes, claims and lease
   * released. Returns the event, or undefined when it had already ended.
   */
  finishAction(actionId: string, end: ActionEnd): Promise<ActionEvent | undefined>;
  get(id: string): Promise<ActionRow | undefined>;
  detail(id: string): Promise<ActionDetail | undefined>;
  /** Newest first; with `fleet`, that fleet's actions only (with `instanceId`, that instance of that fleet). */
  list(opts?: { limit?: number; instanceId?: string; fleet?: string }): Promise<ActionRow[]>;
  /** Actions without an `action-finished` event, oldest first. */
  unfinished(): Promise<string[]>;
  /**
   * Takes an unfinished action over when no live owner holds its lease (its owner died), atomically: of two
   * processes trying at once, one wins. Records the new driver in `action_runs`.
   */
  takeOver(actionId: string): Promise<boolean>;
}

/** A tripped breaker: the group's automatic restarts stop until an operator resets it. */
export type AutopilotBreaker = { fleet: string; group: string; trippedAt: string; failures: number };

/**
 * Autopilot's state (lib/store/autopilot.ts, pg-autopilot.ts): policies per group of a fleet (group null: the fleet's
 * default), the page's kill switch, tripped breakers, and the append-only log every change and decision goes to, in
 * the same transaction as the change. Instances in no group count under the group "" for breakers and rates.
 */
export interface AutopilotStore {
  policies(fleet: string): Promise<Policy[]>;
  /** Sets a policy and logs `policy-changed` with the one it replaced; returns that one (undefined: none). */
  setPolicy(policy: Policy, actor: string): Promise<Policy | undefined>;
  /** The page's kill switch (the variable is config's): never set means not engaged. */
  killSwitch(): Promise<{ engaged: boolean; by?: string; at?: string }>;
  /** Sets the page's switch and logs `kill-switch` (under `fleet`, the fleet of the page that set it). */
  setKillSwitch(engaged: boolean, actor: string, fleet: string): Promise<void>;
  breakers(fleet: string): Promise<AutopilotBreaker[]>;
  /** Trips a group's breaker and logs `breaker-tripped`, atomically; false when it was tripped already. */
  tripBreaker(breaker: AutopilotBreaker, entry: AutopilotEntry): Promise<boolean>;
  /** Removes a tripped breaker and logs `breaker-reset` with it; false (nothing logged) when none was tripped. */
  resetBreaker(fleet: string, group: string, actor: string): Promise<boolean>;
  append(entries: AutopilotEntry[]): Promise<void>;
  /** Newest first. */
  recent(fleet: string, limit?: number): Promise<AutopilotEntry[]>;
  /** A group's entries of these kinds since `since` (ISO), oldest first: what the limits count. */
  groupLog(fleet: string, group: string, kinds: AutopilotEntry["kind"][], since: string): Promise<AutopilotEntry[]>;
  /**
   * Claims (instance, failure, what) once and for all: true for the one caller that inserted it, false for every
   * other (another review, another replica). The claim of a restart is taken before its SendCommand.
   */
  claim(c: { fleet: string; instanceId: string; failureKey: string; what: string }): Promise<boolean>;
  /** Whether that claim exists. */
  claimed(instanceId: string, failureKey: string, what: string): Promise<boolean>;
}

/**
 * Leadership of background work (the watcher, schedules): a lease per name in the `leases` table (kind `leader`),
 * renewed by the store's heartbeat and measured on the database's clock; when its holder stops renewing it, any
 * other store may take it once it has run out. lib/leader.ts runs work under it.
 */
export interface LeaderStore {
  /** This store's lease owner id. */
  readonly owner: string;
  /** How long a lease lives without a heartbeat (FLEET_DOCTOR_LEASE_TTL). */
  readonly leaseTtlMs: number;
  /** Takes `name` when nobody live holds it, or keeps it when this store does: true when this store now leads. */
  claimLeadership(name: string): Promise<boolean>;
  /** Who leads `name` now and until when (epoch ms on the database's clock); undefined when nobody live does. */
  leaderOf(name: string): Promise<{ owner: string; expiresAt: number } | undefined>;
  /** Aborted when this store stops leading `name` (its lease ran out and the heartbeat found it gone, or it resigned). */
  leadershipSignal(name: string): AbortSignal;
  /** Gives `name` up when this store leads it (never another's). */
  resign(name: string): Promise<void>;
}

/** One row of the group fixes' audit (migrations/groups-001.ts): a write asked, then its answer. */
export type GroupFixAuditRow = {
  attemptId: string;
  phase: "requested" | "succeeded" | "failed";
  fleet: string;
  group: string;
  step: "template" | "point" | "refresh";
  actor: string;
  actorRole: string;
  at: string;
  templateId?: string;
  version?: number;
  /** The exact request (phase requested) or AWS's answer (the new version, the refresh id, the error). */
  detail: string;
};

/** The append-only audit of every EC2 / Auto Scaling write made for a group (lib/store/group-fixes.ts, pg-group-fixes.ts). */
export interface GroupFixStore {
  record(row: GroupFixAuditRow): Promise<void>;
  /** Newest first. */
  list(opts?: { fleet?: string; group?: string; limit?: number }): Promise<GroupFixAuditRow[]>;
}

/** One new failure as the alerts' dedupe keys it. */
export type AlertKey = { fleet: string; instanceId: string; verdict: string };

/** The alerts' dedupe and delivery log (lib/store/alerts.ts, pg-alerts.ts; migrations/alerts-001.ts). */
export interface AlertStore {
  /**
   * Claims the keys not alerted yet, atomically (of two replicas claiming one key, one gets it): returns the keys
   * this call claimed, in their order, each once.
   */
  claim(keys: AlertKey[], at: string): Promise<AlertKey[]>;
  /** Forgets every claim of these instances in the fleet (they were seen healthy): their next failure alerts again. */
  forget(fleet: string, instanceIds: string[]): Promise<number>;
  /** Appends one attempt to the delivery log. */
  recordDelivery(d: AlertDelivery): Promise<void>;
  /** The newest attempts first. */
  recentDeliveries(limit?: number): Promise<AlertDelivery[]>;
}

/** Instances found failing and healed in one bucket of time (lib/store/timeline.ts). */
export type TimelineBucket = { start: string; found: number; healed: number };

export interface TimelineStore {
  /**
   * Per hour from `from` (rounded down to the hour) to `to`, over every stored result: `found` counts results with a
   * failing verdict (any but healthy) whose instance's previous result was healthy or absent; `healed` counts
   * healthy results whose previous result was failing. One fleet's when `fleet` is given.
   */
  failuresTimeline(opts: { from: string; to: string; fleet?: string }): Promise<TimelineBucket[]>;
}

/** What the watcher's leader stores after each look (GET /api/watch adds whether it is enabled and who leads). */
export type StoredWatchState = Omit<WatchStatus, "enabled" | "leader">;

/** An instance's latest result as the watcher's plan compares it with what a look sees. */
export type LatestSeen = {
  instanceId: string;
  verdict: Verdict;
  lifecycleState?: string;
  pingStatus: string;
  /** Registered with ECS when last probed; absent when that scan had no ECS view. */
  registered?: boolean;
  probedAt: string;
};

/** The watcher's state (migrations/watch-001.ts) and what its plan reads of the latest results. */
export interface WatchStore {
  saveWatchState(name: string, state: StoredWatchState): Promise<void>;
  watchState(name: string): Promise<StoredWatchState | undefined>;
  /**
   * The latest result of every instance that has one (one query, a few columns each): of `fleet` when given (an id
   * is only unique inside one fleet), else of every fleet, oldest first (a map by id keeps the newest).
   */
  latestSeen(fleet?: string): Promise<LatestSeen[]>;
}

/**
 * Sweeps (migrations/sweeps-001.ts): the rows that group one scan per fleet into one unit an operator sees. The
 * scans themselves stay in ScanStore; a sweep only names them (or the error that kept a fleet from being read).
 */
export interface SweepStore {
  /** A `running` sweep with one pending entry per fleet, in the order given. */
  create(input: { fleets: string[]; targets: Targets; actor?: string; id?: string }): Promise<SweepRow>;
  /** Records what became of one fleet of the sweep: its scan (started or joined) or its error. */
  recordFleet(sweepId: string, entry: SweepFleet): Promise<void>;
  /** Ends a running sweep; false when it had already ended. */
  finish(sweepId: string, status: Exclude<SweepStatus, "running">): Promise<boolean>;
  get(id: string): Promise<SweepRow | undefined>;
  /** Newest first; `before` is a sweep id (the last one of the previous page). */
  list(opts?: { limit?: number; before?: string }): Promise<SweepRow[]>;
}

export interface Store
  extends ScanStore,
    ScanTakeoverStore,
    ScanEventStore,
    ResultStore,
    FleetStateStore,
    EcsStore,
    LeaderStore,
    WatchStore {
  /** Where the data lives (a file path, `:memory:`, or later a connection string without its secret). */
  readonly path: string;
  /** This store's lease owner id: random per process (per opened store). */
  readonly owner: string;
  readonly actions: ActionAuditStore;
  readonly alerts: AlertStore;
  readonly groupFixes: GroupFixStore;
  readonly timeline: TimelineStore;
  readonly autopilot: AutopilotStore;
  readonly sweeps: SweepStore;
  close(): Promise<void>;
}

export type { VerdictCounts };
