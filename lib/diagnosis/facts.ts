/**
 * What the rules look at: the facts diagnose() is given, and the two contexts its rule tables are evaluated on.
 */
import type { ProbeReport } from "../probe/report-schema.ts";
import type { Observations } from "./observe.ts";
import type { Diagnosis } from "./types.ts";

/** `source`: the Auto Scaling call that reported it (DescribeAutoScalingInstances when absent). */
export type Membership = { group: string; lifecycleState: string; inWarmPool?: boolean; source?: string };
export type SsmFacts = {
  pingStatus?: string;
  status?: string;
  statusDetails?: string;
  responseCode?: number;
  output?: string;
  /** A probe still running at the scan's deadline (statusDetails `Unresolved`): seconds the scan waited. */
  waitedSeconds?: number;
};
/**
 * What the ECS control plane says of the instance (ListContainerInstances + DescribeContainerInstances over the
 * clusters looked at, joined by ec2InstanceId). Absent when ECS was not asked (or could not be: then nothing is
 * concluded from it).
 */
export type EcsFacts = {
  /** Registered as a container instance in one of the clusters looked at. */
  registered: boolean;
  /** How many clusters were looked at (ListClusters plus those named in probed ecs.config files). */
  clustersSearched: number;
  cluster?: string;
  arn?: string;
  /** ACTIVE, DRAINING, REGISTERING, ... */
  status?: string;
  agentConnected?: boolean;
  agentVersion?: string;
  registeredAt?: string;
  /**
   * Not registered, and an InService member of a group for longer than the grace period to join (the scan decides
   * from what it knows of the instance's time in service): it should have joined by now.
   */
  overdue?: boolean;
  /** The cluster this instance's ecs.config names (ECS_CLUSTER, "default" when unset) does not exist in ECS. */
  clusterMissing?: string;
};

export type ProbeFacts = { ok: true; report: ProbeReport } | { ok: false; error: string } | undefined;

export type Rule<C> = { id: string; when: (c: C) => boolean; verdictOf: (c: C) => Diagnosis };

/** The SSM-level context: the probe did not give a usable report. */
export type SsmCtx = { probe: ProbeFacts; ssm: SsmFacts; ecs?: EcsFacts; membership?: Membership };

/** The report-level context: what the report says, and Auto Scaling membership. */
export type ReportCtx = { o: Observations; membership?: Membership; ecs?: EcsFacts };
