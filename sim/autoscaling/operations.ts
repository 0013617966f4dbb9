/**
 * The Auto Scaling operations the simulator serves over awsQuery. Each returns the content of `<OpResult>`
 * (null when the operation has no result element) or throws an AwsError.
 */
import { randomUUID } from "node:crypto";
import { type Fleet, FleetError, type GroupInfo, type GroupInstance } from "../fleet-types.ts";
import { AwsError, Checker } from "../protocol/errors.ts";
import { page, readToken } from "../protocol/paging.ts";
import type { QueryParams, XmlValue } from "../protocol/query.ts";
import { LAUNCH_OPERATIONS } from "./launch-operations.ts";
import { groupXml, instanceXml, launchTemplateXml, warmPoolConfigurationXml } from "./render.ts";

export type AsgOperation = (p: QueryParams, fleet: Fleet) => XmlValue | null;

const TOKEN_MESSAGE = "The token you provided is invalid.";

function checkIds(check: Checker, ids: string[] | undefined, max: number): void {
  if (!ids) return;
  check.maxLength(ids, max, "instanceIds");
  if (ids.some((id) => id.length < 1 || id.length > 19))
    check.add(
      ids,
      "instanceIds",
      "Member must satisfy constraint: [Member must have length less than or equal to 19, Member must have length greater than or equal to 1]",
    );
}

function groupNamed(fleet: Fleet, name: string): GroupInfo {
  const g = fleet.groups().find((x) => x.name === name);
  if (!g)
    throw new AwsError("ValidationError", `AutoScalingGroup name not found - AutoScalingGroup '${name}' not found`);
  return g;
}

function describeAutoScalingInstances(p: QueryParams, fleet: Fleet): XmlValue {
  const ids = p.list("InstanceIds");
  const maxRecords = p.int("MaxRecords");
  const nextToken = p.str("NextToken");
  const check = new Checker("ValidationError");
  checkIds(check, ids, 50);
  check.range(maxRecords, 1, 50, "maxRecords");
  check.throwIfAny();

  const rows: { group: string; inst: GroupInstance }[] = [];
  for (const g of fleet.groups()) {
    for (const inst of [...g.instances, ...(g.warmPool?.instances ?? [])]) rows.push({ group: g.name, inst });
  }
  // Instances that are in no group are silently left out, as AWS does.
  const wanted = ids && ids.length > 0 ? new Set(ids) : undefined;
  const selected = (wanted ? rows.filter((r) => wanted.has(r.inst.instanceId)) : rows).sort((a, b) =>
    a.inst.instanceId.localeCompare(b.inst.instanceId),
  );
  const query = { op: "DescribeAutoScalingInstances", ids };
  const result = page(selected, readToken(nextToken, query, TOKEN_MESSAGE), maxRecords ?? 50, query);
  return {
    AutoScalingInstances: result.items.map(({ group, inst }) => ({
      InstanceId: inst.instanceId,
      InstanceType: inst.instanceType,
      AutoScalingGroupName: group,
      AvailabilityZone: inst.availabilityZone,
      LifecycleState: inst.lifecycleState,
      // This call spells health in capitals, unlike DescribeAutoScalingGroups.
      HealthStatus: inst.healthStatus.toUpperCase(),
      LaunchTemplate: launchTemplateXml(inst.launchTemplate),
      ProtectedFromScaleIn: inst.protectedFromScaleIn,
    })),
    NextToken: result.nextToken,
  };
}

function groupFilter(f: QueryParams): (g: GroupInfo) => boolean {
  const name = f.str("Name") ?? "";
  const values = f.list("Values") ?? [];
  if (name.startsWith("tag:")) {
    const key = name.slice(4);
    return (g) => g.tags[key] !== undefined && values.includes(g.tags[key]!);
  }
  if (name === "tag-key") return (g) => values.some((k) => k in g.tags);
  if (name === "tag-value") return (g) => Object.values(g.tags).some((v) => values.includes(v));
  throw new AwsError(
    "ValidationError",
    `Filter name '${name}' is invalid. Valid filter names are tag-key, tag-value and tag:<key>.`,
  );
}

function describeAutoScalingGroups(p: QueryParams, fleet: Fleet): XmlValue {
  const names = p.list("AutoScalingGroupNames");
  const maxRecords = p.int("MaxRecords");
  const nextToken = p.str("NextToken");
  const filters = (p.structs("Filters") ?? []).map(groupFilter);
  const check = new Checker("ValidationError");
  check.range(maxRecords, 1, 100, "maxRecords");
  check.throwIfAny();

  const wanted = names && names.length > 0 ? new Set(names) : undefined;
  const groups = fleet.groups().filter((g) => (!wanted || wanted.has(g.name)) && filters.every((f) => f(g)));
  // The token is bound to the question (names and filters), not to the paging parameters that change between pages.
  const filterParams = Object.fromEntries(Object.entries(p.toJSON()).filter(([k]) => k.startsWith("Filters.")));
  const query = { op: "DescribeAutoScalingGroups", names, filters: filterParams };
  const result = page(groups, readToken(nextToken, query, TOKEN_MESSAGE), maxRecords ?? 50, query);
  return { AutoScalingGroups: result.items.map(groupXml), NextToken: result.nextToken };
}

function describeWarmPool(p: QueryParams, fleet: Fleet): XmlValue {
  const name = p.str("AutoScalingGroupName");
  const maxRecords = p.int("MaxRecords");
  const nextToken = p.str("NextToken");
  const check = new Checker("ValidationError");
  check.required(name, "autoScalingGroupName");
  check.range(maxRecords, 1, 50, "maxRecords");
  check.throwIfAny();
  const g = groupNamed(fleet, name!);
  const instances = g.warmPool?.instances ?? [];
  const query = { op: "DescribeWarmPool", name };
  const result = page(instances, readToken(nextToken, query, TOKEN_MESSAGE), maxRecords ?? 50, query);
  return {
    WarmPoolConfiguration: warmPoolConfigurationXml(g),
    Instances: result.items.map(instanceXml),
    NextToken: result.nextToken,
  };
}

function fleetCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof FleetError) throw new AwsError(e.code, e.message);
    throw e;
  }
}

function attachInstances(p: QueryParams, fleet: Fleet): null {
  const name = p.str("AutoScalingGroupName");
  const ids = p.list("InstanceIds") ?? [];
  const check = new Checker("ValidationError");
  check.required(name, "autoScalingGroupName");
  checkIds(check, ids, 20);
  check.throwIfAny();
  groupNamed(fleet, name!);
  fleetCall(() => fleet.attach(name!, ids));
  return null;
}

function detachInstances(p: QueryParams, fleet: Fleet): XmlValue {
  const name = p.str("AutoScalingGroupName");
  const ids = p.list("InstanceIds") ?? [];
  const decrement = p.bool("ShouldDecrementDesiredCapacity");
  const check = new Checker("ValidationError");
  check.required(name, "autoScalingGroupName");
  check.required(decrement, "shouldDecrementDesiredCapacity");
  checkIds(check, ids, 20);
  check.throwIfAny();
  const g = groupNamed(fleet, name!);
  const members = new Set([...g.instances, ...(g.warmPool?.instances ?? [])].map((i) => i.instanceId));
  const strangers = ids.filter((id) => !members.has(id));
  if (strangers.length > 0)
    throw new AwsError("ValidationError", `The instance ${strangers[0]} is not part of Auto Scaling group ${name}.`);
  fleetCall(() => fleet.detach(name!, ids, decrement!));
  const now = new Date();
  return {
    Activities: ids.map((id) => ({
      ActivityId: randomUUID(),
      AutoScalingGroupName: name,
      Description: `Detaching EC2 instance: ${id}`,
      Cause: `At ${now.toISOString().replace(/\.\d+Z$/, "Z")} instance ${id} was detached in response to a user request${decrement ? `, shrinking the capacity from ${g.desiredCapacity} to ${Math.max(0, g.desiredCapacity - ids.length)}` : ""}.`,
      StartTime: now,
      StatusCode: "InProgress",
      Progress: 50,
      Details: JSON.stringify({ "Availability Zone": g.availabilityZones[0] ?? "us-east-1a" }),
      AutoScalingGroupARN: g.arn,
    })),
  };
}

export const ASG_OPERATIONS: Record<string, AsgOperation> = {
  DescribeAutoScalingInstances: describeAutoScalingInstances,
  DescribeAutoScalingGroups: describeAutoScalingGroups,
  DescribeWarmPool: describeWarmPool,
  AttachInstances: attachInstances,
  DetachInstances: detachInstances,
  ...LAUNCH_OPERATIONS,
};
