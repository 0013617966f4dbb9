/** The ECS operations the simulator serves (awsJson1_1, target prefix AmazonEC2ContainerServiceV20141113). */
import type { Fleet } from "../fleet-types.ts";
import type { Body } from "../protocol/input.ts";
import { describeContainerInstances } from "./describe-container-instances.ts";
import { listClusters } from "./list-clusters.ts";
import { listContainerInstances } from "./list-container-instances.ts";

export const ECS_TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113";

export type EcsOperation = (body: Body, fleet: Fleet) => unknown;

export const ECS_OPERATIONS: Record<string, EcsOperation> = {
  ListClusters: listClusters,
  ListContainerInstances: listContainerInstances,
  DescribeContainerInstances: describeContainerInstances,
};
