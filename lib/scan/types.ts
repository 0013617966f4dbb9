import type { EcsFacts } from "../diagnosis/facts.ts";
import type { Diagnosis, Verdict } from "../diagnosis/types.ts";
import type { ErrorCode } from "../errors.ts";

/** Which instances a scan or a listing covers. */
export type Targets =
  | { kind: "all" }
  | { kind: "tag"; key: string; value: string }
  | { kind: "group"; name: string }
  | { kind: "ids"; ids: string[] };

/** One instance as inventory sees it, before any probe: SSM joined with Auto Scaling. */
export type Target = {
  instanceId: string;
  pingStatus: "Online" | "ConnectionLost" | "Inactive" | "Unknown";
  lastPingAt?: string;
  platform?: string;
  platformVersion?: string;
  computerName?: string;
  ipAddress?: string;
  /** Auto Scaling membership: absent when the instance is in no group (DescribeAutoScalingInstances leaves it out). */
  group?: string;
  lifecycleState?: string;
  inWarmPool?: boolean;
  /** The Auto Scaling call the membership came from (by group, warm pool, or by instance id). */
  membershipSource?: string;
};

/** What SSM said about one invocation of the probe. */
export type InvocationOutcome = {
  commandId?: string;
  status: string;
  statusDetails?: string;
  responseCode?: number;
  output: string;
  /** True when the plugin Output had a truncation marker and the full output could not be read. */
  truncated: boolean;
  /** Unresolved (statusDetails `Unresolved`): how long the scan waited for SSM to end the invocation. */
  waitedSeconds?: number;
};

/** One instance's result in a scan: inventory, SSM outcome, the parsed report's key facts, the diagnosis. */
export type InstanceResult = {
  scanId: string;
  instanceId: string;
  target: Target;
  outcome: InvocationOutcome;
  diagnosis: Diagnosis;
  verdict: Verdict;
  agentVersion?: string;
  /** What ECS said of the instance (lib/aws/ecs.ts); absent when ECS was not asked or could not be. */
  ecs?: EcsFacts;
  probedAt: string;
};

/** `partial`: it ran to its end, but some instances have no true result (unresolved at the deadline, or not sent). */
export type ScanStatus = "running" | "completed" | "partial" | "cancelled" | "failed" | "interrupted";

/**
 * One instance done, slim: enough to count it and place it (verdict, SSM's status, group). The full result (probe
 * output, evidence) is stored once, with the result, and read by id (GET /api/instances/:id).
 */
export type InstanceEvent = {
  type: "instance";
  instanceId: string;
  verdict: Verdict;
  /** SSM's invocation status and details, e.g. `Failed: DeliveryTimedOut` (capped). */
  status: string;
  group?: string;
  at: string;
};

/** Progress events of a scan, in the order they happen; each is stored before it is yielded. */
export type ScanEvent =
  | { type: "scan-started"; scanId: string; targets: Targets; at: string }
  /**
   * Another process took the scan over after its owner died (lib/scan/resume-scans.ts): it collects the commands
   * already sent (never sending them again), then probes what was never sent; the same scan id goes on.
   */
  | { type: "resumed"; pid: number; at: string }
  | { type: "inventory"; total: number; online: number; offline: number; at: string }
  | { type: "batch-sent"; commandId: string; instanceIds: string[]; at: string }
  | { type: "batch-failed"; instanceIds: string[]; error: string; at: string }
  | InstanceEvent
  | {
      type: "warning";
      /** `ecs`: ECS could not be read (AccessDenied, ...): the scan went on without its view. */
      kind: "throttled" | "vanished" | "truncated" | "retry" | "ecs";
      message: string;
      instanceId?: string;
      at: string;
    }
  | {
      type: "scan-finished";
      status: ScanStatus;
      counts: Partial<Record<Verdict, number>>;
      /** A `partial` scan: instances still running at their deadline, and instances SendCommand failed for. */
      unresolved?: number;
      notSent?: number;
      /** A failed scan: the error code of why (AWS_ERROR when AWS could not be reached), for the CLI's exit code. */
      errorCode?: ErrorCode;
      at: string;
    };
