/**
 * DescribeContainerInstances: up to 100 container instances of one cluster, named by ARN or by id (the last part of
 * the ARN). Unknown ones come back as failures with reason MISSING, as ECS reports them.
 */
import type { ContainerInstanceInfo, Fleet } from "../fleet-types.ts";
import { Checker } from "../protocol/errors.ts";
import { type Body, optString, optStringList } from "../protocol/input.ts";
import { findCluster, instancesOf } from "./clusters.ts";

const INCLUDE = ["TAGS", "CONTAINER_INSTANCE_HEALTH"] as const;

function render(ci: ContainerInstanceInfo, health: boolean): Record<string, unknown> {
  return {
    containerInstanceArn: ci.containerInstanceArn,
    ec2InstanceId: ci.instanceId,
    version: 1,
    versionInfo: { agentVersion: ci.agentVersion },
    status: "ACTIVE",
    agentConnected: ci.agentConnected,
    runningTasksCount: 0,
    pendingTasksCount: 0,
    registeredAt: ci.registeredAt.getTime() / 1000,
    attachments: [],
    ...(health
      ? {
          healthStatus: {
            overallStatus: "OK",
            details: [{ type: "CONTAINER_RUNTIME", status: "OK", lastUpdated: Date.now() / 1000 }],
          },
        }
      : {}),
  };
}

export function describeContainerInstances(body: Body, fleet: Fleet): unknown {
  const clusterName = optString(body, "cluster");
  const wanted = optStringList(body, "containerInstances");
  const include = optStringList(body, "include");
  const check = new Checker("InvalidParameterException");
  check.required(wanted, "containerInstances");
  check.maxLength(wanted, 100, "containerInstances");
  for (const [i, v] of (include ?? []).entries()) check.oneOf(v, INCLUDE, `include.${i + 1}.member`);
  check.throwIfAny();
  const cluster = findCluster(fleet, clusterName);
  const registered = instancesOf(fleet, cluster);
  const health = include?.includes("CONTAINER_INSTANCE_HEALTH") ?? false;
  const containerInstances: Record<string, unknown>[] = [];
  const failures: { arn: string; reason: string }[] = [];
  const seen = new Set<string>();
  for (const name of wanted ?? []) {
    const ci = registered.find(
      (c) => c.containerInstanceArn === name || c.containerInstanceArn.split("/").at(-1) === name,
    );
    if (!ci) failures.push({ arn: name, reason: "MISSING" });
    else if (!seen.has(ci.containerInstanceArn)) {
      seen.add(ci.containerInstanceArn);
      containerInstances.push(render(ci, health));
    }
  }
  return { containerInstances, failures };
}
