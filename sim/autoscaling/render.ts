/** XML shapes of Auto Scaling groups and instances (values as the query protocol serialises them). */
import type { GroupInfo, GroupInstance, GroupLaunchSource, TemplateSpec } from "../fleet-types.ts";
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
    LaunchConfigurationName: i.launchConfigurationName,
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

const specXml = (t: TemplateSpec): XmlValue => ({
  LaunchTemplateId: t.id,
  LaunchTemplateName: t.name,
  Version: t.version,
});

/** A mixed-instances policy as DescribeAutoScalingGroups shows it (overrides with their own template or image). */
export function mixedInstancesXml(m: Extract<GroupLaunchSource, { kind: "mixed-instances" }>): XmlValue {
  return {
    LaunchTemplate: {
      LaunchTemplateSpecification: specXml(m.template),
      Overrides: m.overrides.map((o) => ({
        InstanceType: o.instanceType,
        WeightedCapacity: o.weightedCapacity,
        LaunchTemplateSpecification: o.template ? specXml(o.template) : undefined,
        ImageId: o.imageId,
      })),
    },
    InstancesDistribution: {
      OnDemandAllocationStrategy: m.distribution.onDemandAllocationStrategy,
      OnDemandBaseCapacity: m.distribution.onDemandBaseCapacity,
      OnDemandPercentageAboveBaseCapacity: m.distribution.onDemandPercentageAboveBaseCapacity,
      SpotAllocationStrategy: m.distribution.spotAllocationStrategy,
    },
  };
}

export function groupXml(g: GroupInfo): XmlValue {
  // Without a modelled source (a stand-in fleet), the members' template is the group's.
  const lt = g.launch
    ? undefined
    : (g.instances.find((i) => i.launchTemplate)?.launchTemplate ??
      g.warmPool?.instances.find((i) => i.launchTemplate)?.launchTemplate);
  const src = g.launch;
  return {
    AutoScalingGroupName: g.name,
    AutoScalingGroupARN: g.arn,
    LaunchConfigurationName: src?.kind === "launch-configuration" ? src.name : undefined,
    LaunchTemplate: src?.kind === "launch-template" ? specXml(src.template) : launchTemplateXml(lt),
    MixedInstancesPolicy: src?.kind === "mixed-instances" ? mixedInstancesXml(src) : undefined,
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
    ServiceLinkedRoleARN: `arn:aws:iam::000000000000:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
    CapacityRebalance: false,
    WarmPoolConfiguration: warmPoolConfigurationXml(g),
    WarmPoolSize: g.warmPool ? g.warmPool.instances.length : undefined,
  };
}
