import {
  DescribeContainerInstancesCommand,
  type ECSClient,
  paginateListClusters,
  paginateListContainerInstances,
} from "@aws-sdk/client-ecs";
import { FleetDoctorError } from "../errors.ts";
import { awsError, errorName } from "./errors.ts";
import type { pacer } from "./pace.ts";

type Pace = ReturnType<typeof pacer>;

/**
 * ECS's cluster read calls share one token bucket per account (refill 20 per second, burst 50); the scan stays at
 * half of it so that another tool reading ECS at the same time is not throttled because of us.
 */
export const ECS_READ_RATE = 10;

export type EcsCluster = { name: string; arn: string };

/** One container instance as ECS reports it, keyed by the EC2 instance it runs on. */
export type ContainerInstanceView = {
  ec2InstanceId: string;
  /** The cluster's name (the last part of its ARN). */
  cluster: string;
  arn: string;
  /** ACTIVE, DRAINING, REGISTERING, DEREGISTERING, REGISTRATION_FAILED (INACTIVE ones are not listed). */
  status?: string;
  agentConnected?: boolean;
  agentVersion?: string;
  registeredAt?: string;
};

/** What ECS says of the account's container instances in this region. */
export type EcsView = {
  /** Every cluster ListClusters returned, plus those asked for by name that exist. */
  clusters: EcsCluster[];
  byInstance: Map<string, ContainerInstanceView>;
  /** Clusters asked for (`clusters` option) that ECS does not have (ClusterNotFoundException). */
  missing: string[];
};

const CLUSTER_ARN = /^arn:aws[a-z-]*:ecs:([a-z0-9-]+):(\d{12}):cluster\/(.+)$/;

function clusterOf(nameOrArn: string): EcsCluster {
  const m = CLUSTER_ARN.exec(nameOrArn);
  return m ? { name: m[3]!, arn: nameOrArn } : { name: nameOrArn, arn: nameOrArn };
}

function wrap(operation: string, e: unknown, signal?: AbortSignal): unknown {
  if (signal?.aborted || e instanceof FleetDoctorError) return e;
  return awsError(operation, e);
}

/** Two registrations of one EC2 instance (a leftover DRAINING one in its old cluster): the ACTIVE, then the newest. */
function better(a: ContainerInstanceView, b: ContainerInstanceView): ContainerInstanceView {
  if ((a.status === "ACTIVE") !== (b.status === "ACTIVE")) return a.status === "ACTIVE" ? a : b;
  return (b.registeredAt ?? "") > (a.registeredAt ?? "") ? b : a;
}

/**
 * ECS's view of the account's container instances: ListClusters (pages of 100), then per cluster
 * ListContainerInstances (pages of 100 ARNs) each followed by one DescribeContainerInstances of that page, so the
 * cost is two calls per 100 registered instances, never one per instance. Every call is paced at `pace` (or
 * ECS_READ_RATE); throttling and 5xx are the SDK's retries (adaptive, from lib/aws/clients.ts). `clusters` are
 * names or ARNs to look at besides ListClusters' (those named in ecs.config files): one that ECS does not have is
 * in `missing`. Any other failure (AccessDenied, ...) throws a FleetDoctorError naming the operation.
 */
export async function readEcsView(
  ecs: ECSClient,
  opts: { clusters?: readonly string[]; signal?: AbortSignal; pace?: Pace } = {},
): Promise<EcsView> {
  const { signal } = opts;
  const take = async () => opts.pace?.take(signal);
  const clusters: EcsCluster[] = [];
  try {
    await take();
    const pages = paginateListClusters({ client: ecs, pageSize: 100 }, { maxResults: 100 });
    for await (const page of pages) {
      signal?.throwIfAborted();
      clusters.push(...(page.clusterArns ?? []).map(clusterOf));
      await take(); // the paginator asks for the next page only when the loop comes back
    }
  } catch (e) {
    throw wrap("ListClusters", e, signal);
  }
  const known = (c: string) => clusters.some((k) => k.name === c || k.arn === c);
  const extra = [...new Set((opts.clusters ?? []).filter((c) => c !== "" && !known(c)))];

  const byInstance = new Map<string, ContainerInstanceView>();
  const missing: string[] = [];
  for (const cluster of [...clusters, ...extra.map(clusterOf)]) {
    const found = await readCluster(ecs, cluster, byInstance, take, signal);
    if (!found) missing.push(cluster.arn);
    else if (!clusters.includes(cluster)) clusters.push(cluster);
  }
  return { clusters, byInstance, missing };
}

/** One cluster's container instances into `out`; false when ECS does not have the cluster. */
async function readCluster(
  ecs: ECSClient,
  cluster: EcsCluster,
  out: Map<string, ContainerInstanceView>,
  take: () => Promise<void>,
  signal?: AbortSignal,
): Promise<boolean> {
  let operation = "ListContainerInstances";
  try {
    const pages = paginateListContainerInstances(
      { client: ecs, pageSize: 100 },
      { cluster: cluster.arn, maxResults: 100 },
    );
    for await (const page of pages) {
      signal?.throwIfAborted();
      const arns = page.containerInstanceArns ?? [];
      if (arns.length > 0) {
        await take();
        operation = "DescribeContainerInstances";
        const res = await ecs.send(
          new DescribeContainerInstancesCommand({ cluster: cluster.arn, containerInstances: arns }),
          { abortSignal: signal },
        );
        operation = "ListContainerInstances";
        // A failure (MISSING) is an instance that deregistered between the two calls: it is simply not registered.
        for (const ci of res.containerInstances ?? []) {
          if (!ci.ec2InstanceId || !ci.containerInstanceArn) continue;
          const view: ContainerInstanceView = {
            ec2InstanceId: ci.ec2InstanceId,
            cluster: cluster.name,
            arn: ci.containerInstanceArn,
            ...(ci.status ? { status: ci.status } : {}),
            ...(ci.agentConnected !== undefined ? { agentConnected: ci.agentConnected } : {}),
            ...(ci.versionInfo?.agentVersion ? { agentVersion: ci.versionInfo.agentVersion } : {}),
            ...(ci.registeredAt ? { registeredAt: ci.registeredAt.toISOString() } : {}),
          };
          const before = out.get(view.ec2InstanceId);
          out.set(view.ec2InstanceId, before ? better(before, view) : view);
        }
      }
      await take();
    }
    return true;
  } catch (e) {
    if (!signal?.aborted && errorName(e) === "ClusterNotFoundException") return false;
    throw wrap(operation, e, signal);
  }
}

/**
 * Whether the cluster an instance's ecs.config names (ECS_CLUSTER: a name or an ARN, "default" when unset or empty)
 * is one ECS does not have. Only what ECS was asked about is concluded: ListClusters lists every cluster of the
 * account in this region, so a name it lacks is missing; an ARN is missing when it is of the account and region
 * looked at (`home`) and not listed; an ARN of another account or region was not looked at, so nothing is said.
 */
export function clusterMissing(
  view: Pick<EcsView, "clusters" | "missing">,
  configured: string | undefined,
  home: { region: string; account?: string },
): boolean {
  const wanted = configured?.trim() || "default";
  if (view.missing.includes(wanted)) return true;
  if (view.clusters.some((c) => c.name === wanted || c.arn === wanted)) return false;
  const arn = CLUSTER_ARN.exec(wanted);
  if (!arn) return !wanted.includes("/") && !wanted.includes(":");
  const accounts = new Set(view.clusters.flatMap((c) => CLUSTER_ARN.exec(c.arn)?.[2] ?? []));
  if (home.account) accounts.add(home.account);
  return arn[1] === home.region && accounts.has(arn[2]!);
}
