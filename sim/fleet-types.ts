/**
 * The seam between the simulator's two halves: the AWS-facing server (sim/server.ts, sim/ssm/, sim/autoscaling/,
 * sim/control.ts) and the fleet of simulated hosts (sim/fleet/). The server speaks the wire protocols and keeps
 * commands and invocations; the fleet owns hosts, groups, ECS agents, sandboxes and execution.
 *
 * The simulator never imports the app (lib/, app/): it is AWS and the instances, not Fleet Doctor.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

export type PingStatus = "Online" | "ConnectionLost" | "Inactive";

/** What SSM's DescribeInstanceInformation knows of a host. */
export type HostInfo = {
  instanceId: string;
  pingStatus: PingStatus;
  lastPingAt: Date;
  ssmAgentVersion: string;
  platformType: "Linux";
  platformName: string;
  platformVersion: string;
  computerName: string;
  ipAddress: string;
  tags: Record<string, string>;
  /** A stopped host is not listed by SSM and is not a valid SendCommand target. */
  stopped: boolean;
  /** How an invocation ends while the SSM agent is offline (ConnectionLost): Undeliverable at once, or
   * DeliveryTimedOut once the command's TimeoutSeconds passes. Default "undeliverable". */
  whenOffline?: "undeliverable" | "delivery-timeout";
};

export type GroupInstance = {
  instanceId: string;
  lifecycleState: string;
  healthStatus: "Healthy" | "Unhealthy";
  availabilityZone: string;
  protectedFromScaleIn: boolean;
  instanceType: string;
  launchTemplate?: { id: string; name: string; version: string };
};

export type GroupInfo = {
  name: string;
  arn: string;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  availabilityZones: string[];
  createdAt: Date;
  tags: Record<string, string>;
  /** In-service and other non-warm instances (DescribeAutoScalingGroups leaves warm-pool ones out). */
  instances: GroupInstance[];
  warmPool?: {
    poolState: "Stopped" | "Running" | "Hibernated";
    minSize: number;
    maxGroupPreparedCapacity?: number;
    status?: string;
    instances: GroupInstance[];
  };
};

/** exitCode is -1 when the script was killed (executionTimeout: timedOut true; or cancelled through the signal). */
export type ExecResult = { exitCode: number; stdout: string; stderr: string; timedOut: boolean };

export type RunOptions = {
  /** AWS-RunShellScript executionTimeout, seconds: the script is killed after it (TimedOut / ExecutionTimedOut). */
  executionTimeoutSeconds: number;
  /** Aborted when the command is cancelled. */
  signal?: AbortSignal;
  workingDirectory?: string;
};

/** What ECS knows of a host whose agent registered it as a container instance of `cluster`. */
export type ContainerInstanceInfo = {
  instanceId: string;
  cluster: string;
  /** The same ARN the host's introspection endpoint (/v1/metadata) answers with. */
  containerInstanceArn: string;
  /** Always true for now: the host model has no notion of a registered agent that lost its ACS connection. */
  agentConnected: boolean;
  /** Plain version, e.g. "1.89.3". */
  agentVersion: string;
  registeredAt: Date;
};

/** Per-host timing from the scenario: how long SSM takes to hand an invocation to the host's agent. */
export type HostTiming = { deliveryMs: number };

export interface Fleet {
  hosts(): HostInfo[];
  host(instanceId: string): HostInfo | undefined;
  groups(): GroupInfo[];
  /** The group and lifecycle state of a host, or undefined when it is in no group. */
  membership(instanceId: string): { group: string; lifecycleState: string; inWarmPool: boolean } | undefined;
  /** ECS clusters: the ECS_CLUSTER of every host that runs ECS ("default" when unset), sorted by name. */
  clusters(): { name: string; arn: string }[];
  /** Registered container instances (agent registered, introspection answering), in host order. */
  containerInstances(): ContainerInstanceInfo[];
  /** AttachInstances: throws FleetError("ValidationError", ...) for unknown group or hosts. */
  attach(groupName: string, instanceIds: string[]): void;
  /** DetachInstances. */
  detach(groupName: string, instanceIds: string[], decrementDesiredCapacity: boolean): void;
  /** Runs the `commands` of AWS-RunShellScript on a host (bash in its sandbox, or the in-process model). */
  run(instanceId: string, commands: string[], options: RunOptions): Promise<ExecResult>;
  timing(instanceId: string): HostTiming;
  /** Everything the simulator knows about a host, for GET /_sim/hosts (JSON-serialisable). */
  describe(instanceId: string): Record<string, unknown> | undefined;
  /** Serves the per-host IMDS and introspection endpoints under /_hosts/<id>/...; returns false if not its path. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** Groups that grow while the simulator runs (launches, warm-pool moves, schedules); absent on fleets without time. */
  scaling?: FleetScaling;
  close(): Promise<void>;
}

/** Where a launched instance goes: straight to the group (Pending, then InService) or into its warm pool. */
export type LaunchInto = "in-service" | "warm-pool";

/**
 * Scale-out at runtime. Every call throws FleetError: "NotFound" for an unknown group, "ValidationError" for a
 * request the group cannot take (no warm pool, above maxSize, fewer warmed instances than asked for).
 */
export interface FleetScaling {
  /** Launches `count` instances with the group's launch spec; returns their ids. */
  launch(group: string, count: number, into: LaunchInto): string[];
  /** Moves `count` warmed instances (oldest first) from the warm pool to InService; returns their ids. */
  moveToInService(group: string, count: number): string[];
  /** Every group with its schedules and its members' launch, publication and registration times (GET /_sim/groups). */
  describeGroups(): Record<string, unknown>[];
  paused(): boolean;
  /** Pauses or resumes every schedule of the scenario (calls by hand still work while paused). */
  setPaused(paused: boolean): void;
}

export class FleetError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "FleetError";
  }
}

/** An IAM role that STS AssumeRole may hand out sessions of (see the scenario's accounts[].roles). */
export type DirectoryRole = {
  account: string;
  name: string;
  arn: string;
  /** AROA...: the role's unique id, the first half of an assumed-role session's UserId. */
  roleId: string;
  /** Account ids (any principal of that account) and role ARNs (sessions of that role) its trust policy lets in. */
  trustedBy: string[];
  externalId?: string;
  maxSessionDuration: number;
};

export type DirectoryAccount = {
  id: string;
  name: string;
  email: string;
  /** The root or OU it is in (organization accounts only). */
  parent?: string;
  joinedAt: Date;
  roles: Map<string, DirectoryRole>;
};

export type DirectoryUnit = { id: string; name: string; parent: string };

/**
 * Who is who across the simulator's accounts: the management account (the scenario's; the account of every key
 * the simulator's STS did not issue), the accounts and their roles, the organization if any, and the fleets.
 */
export type Directory = {
  /** The scenario's own account and region: the default fleet. */
  account: string;
  region: string;
  /** True when the scenario has `accounts`: requests then go to their caller's account and signing region. */
  multi: boolean;
  accounts: Map<string, DirectoryAccount>;
  organization?: { id: string; rootId: string; units: DirectoryUnit[] };
};
