/**
 * ListContainerInstances: the container instance ARNs of one cluster (name or ARN, "default" when absent), paged
 * (maxResults 1..100, default 100), optionally only those with a given status. Every registered instance of the
 * simulator is ACTIVE. The cluster query language (`filter`) is not simulated and is refused rather than ignored.
 */
import type { Fleet } from "../fleet-types.ts";
import { AwsError, Checker } from "../protocol/errors.ts";
import { type Body, optInt, optString } from "../protocol/input.ts";
import { page } from "../protocol/paging.ts";
import { checkMaxResults, ecsToken, findCluster, instancesOf } from "./clusters.ts";

export const CONTAINER_INSTANCE_STATUSES = [
  "ACTIVE",
  "DRAINING",
  "REGISTERING",
  "DEREGISTERING",
  "REGISTRATION_FAILED",
] as const;

export function listContainerInstances(body: Body, fleet: Fleet): unknown {
  const clusterName = optString(body, "cluster");
  const maxResults = optInt(body, "maxResults");
  const nextToken = optString(body, "nextToken");
  const status = optString(body, "status");
  const filter = optString(body, "filter");
  const check = new Checker("InvalidParameterException");
  checkMaxResults(check, maxResults);
  check.oneOf(status, CONTAINER_INSTANCE_STATUSES, "status");
  check.throwIfAny();
  if (filter !== undefined && filter !== "")
    throw new AwsError("InvalidParameterException", "The filter parameter is not supported by this simulator.");
  const cluster = findCluster(fleet, clusterName);
  const arns = instancesOf(fleet, cluster)
    .filter(() => status === undefined || status === "ACTIVE")
    .map((ci) => ci.containerInstanceArn);
  const query = { op: "ListContainerInstances", cluster: cluster.arn, status };
  const result = page(arns, ecsToken(nextToken, query), maxResults ?? 100, query);
  return { containerInstanceArns: result.items, ...(result.nextToken ? { nextToken: result.nextToken } : {}) };
}
