/** What the ECS operations share: cluster lookup by name or ARN, the ECS paging token and the maxResults limit. */
import type { ContainerInstanceInfo, Fleet } from "../fleet-types.ts";
import { AwsError, type Checker } from "../protocol/errors.ts";
import { readToken } from "../protocol/paging.ts";

export type Cluster = { name: string; arn: string };

const CLUSTER_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/(.+)$/;

/** The cluster a request names (short name or ARN; "default" when absent), or ClusterNotFoundException. */
export function findCluster(fleet: Fleet, cluster: string | undefined): Cluster {
  const wanted = cluster === undefined || cluster === "" ? "default" : cluster;
  const found = fleet.clusters().find((c) => c.name === wanted || c.arn === wanted);
  if (!found) {
    // An ARN of a cluster this fleet does not have (another account or region) is not found either.
    if (CLUSTER_ARN.test(wanted) || !wanted.includes("/"))
      throw new AwsError("ClusterNotFoundException", "Cluster not found.");
    throw new AwsError("InvalidParameterException", `Invalid identifier: Unexpected cluster ARN or name: ${wanted}`);
  }
  return found;
}

/** The container instances registered with `cluster`. */
export function instancesOf(fleet: Fleet, cluster: Cluster): ContainerInstanceInfo[] {
  return fleet.containerInstances().filter((ci) => ci.cluster === cluster.name);
}

/** ECS accepts maxResults from 1 to 100 (it defaults to 100). */
export function checkMaxResults(check: Checker, maxResults: number | undefined): void {
  check.range(maxResults, 1, 100, "maxResults");
}

/** ECS answers a token it did not issue for this query with InvalidParameterException. */
export function ecsToken(token: string | undefined, query: unknown): number {
  try {
    return readToken(token, query);
  } catch (e) {
    if (e instanceof AwsError) throw new AwsError("InvalidParameterException", "Invalid token");
    throw e;
  }
}
