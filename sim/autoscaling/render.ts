/** XML shapes of Auto Scaling groups and instances (values as the query protocol serialises them). */
import type { GroupInfo, GroupInstance } from "../fleet-types.ts";
import type { XmlValue } from "../protocol/query.ts";

export function launchTemplateXml(lt: GroupInstance["launchTemplate"]): XmlValue {
  return lt ? { LaunchTemplateId: lt.id, LaunchTemplateName: lt.name, Version: lt.version } : undefined;
}

export function instanceXml(i: GroupInstance): XmlValue {
  return {
    InstanceId: i.instanceId,
    InstanceType: i.instanceType,
    AvailabilityZone: i.availabilityZone,
    LifecycleState: i.lifecycleState,
    HealthStatus: i.healthStatus,
    LaunchTemplate: launchTemplateXml(i.launchTemplate),
    ProtectedFromScaleIn: i.protectedFromScaleIn,
  };
}

export function warmPoolConfigurationXml(g: GroupInfo): XmlValue {
  const wp = g.warmPool;
  if (!wp) return undefined;
  return {
    MaxGroupPreparedCapacity: wp.maxGroupPreparedCapacity,
    MinSize: wp.minSize,
    PoolState: wp.poolState,
    Status: wp.status,
    InstanceReusePolicy: { ReuseOnScaleIn: false },
  };
}

export function groupXml(g: GroupInfo): XmlValue {
  const lt =
    g.instances.find((i) => i.launchTemplate)?.launchTemplate ??
    g.warmPool?.instances.find((i) => i.launchTemplate)?.launchTemplate;
  return {
    AutoScalingGroupName: g.name,
    AutoScalingGroupARN: g.arn,
    LaunchTemplate: launchTemplateXml(lt),
    MinSize: g.minSize,
    MaxSize: g.maxSize,
    DesiredCapacity: g.desiredCapacity,
    DefaultCooldown: 300,
    AvailabilityZones: g.availabilityZones,
    LoadBalancerNames: [],
    TargetGroupARNs: [],
    HealthCheckType: "EC2",
    HealthCheckGracePeriod: 300,
    Instances: g.instances.map(instanceXml),
    CreatedTime: g.createdAt,
    SuspendedProcesses: [],
    EnabledMetrics: [],
    Tags: Object.entries(g.tags).map(([Key, Value]) => ({
      ResourceId: g.name,
      ResourceType: "auto-scaling-group",
      Key,
      Value,
      PropagateAtLaunch: true,
    })),
    TerminationPolicies: ["Default"],
    NewInstancesProtectedFromScaleIn: false,
    // The group's own account (its ARN's fifth field).
    ServiceLinkedRoleARN: `arn:aws:iam::${g.arn.split(":")[4] || "000000000000"}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
    CapacityRebalance: false,
    WarmPoolConfiguration: warmPoolConfigurationXml(g),
    WarmPoolSize: g.warmPool ? g.warmPool.instances.length : undefined,
  };
}
