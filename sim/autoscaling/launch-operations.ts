/**
 * Auto Scaling operations about what groups launch (issue 20): DescribeLaunchConfigurations, UpdateAutoScalingGroup
 * (launch template, launch configuration or mixed-instances policy, and sizes), StartInstanceRefresh and
 * DescribeInstanceRefreshes. awsQuery: nested structures as `LaunchTemplate.LaunchTemplateId`,
 * `MixedInstancesPolicy.LaunchTemplate.Overrides.member.1.InstanceType`.
 */
import {
  type Fleet,
  type FleetEc2,
  FleetError,
  type GroupLaunchSource,
  type InstanceRefreshInfo,
  type TemplateSpec,
} from "../fleet-types.ts";
import { AwsError, Checker } from "../protocol/errors.ts";
import { page, readToken } from "../protocol/paging.ts";
import type { QueryParams, XmlValue } from "../protocol/query.ts";

const TOKEN_MESSAGE = "The token you provided is invalid.";

function ec2Of(fleet: Fleet): FleetEc2 {
  if (!fleet.ec2) throw new AwsError("ValidationError", "This simulated fleet does not model launch settings.");
  return fleet.ec2;
}

function fleetCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof FleetError) throw new AwsError(e.code, e.message);
    throw e;
  }
}

function describeLaunchConfigurations(p: QueryParams, fleet: Fleet): XmlValue {
  const names = p.list("LaunchConfigurationNames");
  const maxRecords = p.int("MaxRecords");
  const check = new Checker("ValidationError");
  check.range(maxRecords, 1, 100, "maxRecords");
  check.throwIfAny();
  const all = ec2Of(fleet).launchConfigurations();
  const list = names && names.length > 0 ? all.filter((c) => names.includes(c.name)) : all;
  const query = { op: "DescribeLaunchConfigurations", names };
  const r = page(list, readToken(p.str("NextToken"), query, TOKEN_MESSAGE), maxRecords ?? 50, query);
  return {
    LaunchConfigurations: r.items.map((c) => ({
      LaunchConfigurationName: c.name,
      LaunchConfigurationARN: c.arn,
      ImageId: c.imageId,
      KeyName: "",
      SecurityGroups: [],
      ClassicLinkVPCSecurityGroups: [],
      UserData: c.userData ?? "",
      InstanceType: c.instanceType,
      KernelId: "",
      RamdiskId: "",
      BlockDeviceMappings: [],
      InstanceMonitoring: { Enabled: true },
      CreatedTime: c.createdAt,
      EbsOptimized: false,
      MetadataOptions: c.metadataOptions
        ? {
            HttpTokens: c.metadataOptions.httpTokens,
            HttpPutResponseHopLimit: c.metadataOptions.httpPutResponseHopLimit,
            HttpEndpoint: c.metadataOptions.httpEndpoint,
          }
        : undefined,
    })),
    NextToken: r.nextToken,
  };
}

/** `LaunchTemplateId` / `LaunchTemplateName` / `Version` of a LaunchTemplateSpecification (ids resolved by the fleet). */
function spec(p: QueryParams | undefined, at: string): TemplateSpec | undefined {
  if (!p) return undefined;
  const id = p.str("LaunchTemplateId");
  const name = p.str("LaunchTemplateName");
  if ((id === undefined) === (name === undefined))
    throw new AwsError(
      "ValidationError",
      `Valid requests must contain either launchTemplateId or LaunchTemplateName (${at}), not both or neither.`,
    );
  return { id: id ?? "", name: name ?? "", version: p.str("Version") ?? "$Default" };
}

function mixedPolicy(p: QueryParams, at: string): GroupLaunchSource {
  const lt = p.sub("LaunchTemplate");
  const template = spec(lt?.sub("LaunchTemplateSpecification"), `${at}.LaunchTemplate.LaunchTemplateSpecification`);
  if (!template)
    throw new AwsError("ValidationError", "A mixed instances policy must specify a LaunchTemplateSpecification.");
  const overrides = (lt?.structs("Overrides") ?? []).map((o, i) => ({
    instanceType: o.str("InstanceType"),
    weightedCapacity: o.str("WeightedCapacity"),
    imageId: o.str("ImageId"),
    template: spec(o.sub("LaunchTemplateSpecification"), `${at}.LaunchTemplate.Overrides.member.${i + 1}`),
  }));
  const d = p.sub("InstancesDistribution");
  const num = (name: string, dflt: number) => {
    const v = d?.int(name);
    return v ?? dflt;
  };
  return {
    kind: "mixed-instances",
    template,
    overrides,
    distribution: {
      onDemandAllocationStrategy: d?.str("OnDemandAllocationStrategy") ?? "prioritized",
      onDemandBaseCapacity: num("OnDemandBaseCapacity", 0),
      onDemandPercentageAboveBaseCapacity: num("OnDemandPercentageAboveBaseCapacity", 100),
      spotAllocationStrategy: d?.str("SpotAllocationStrategy") ?? "price-capacity-optimized",
    },
  };
}

/** One of LaunchTemplate / LaunchConfigurationName / MixedInstancesPolicy, or none (sizes only). */
function launchSource(p: QueryParams): GroupLaunchSource | undefined {
  const lt = p.sub("LaunchTemplate");
  const lc = p.str("LaunchConfigurationName");
  const mip = p.sub("MixedInstancesPolicy");
  if ([lt, lc, mip].filter((x) => x !== undefined).length > 1)
    throw new AwsError(
      "ValidationError",
      "Valid requests must contain either LaunchTemplate, LaunchConfigurationName or MixedInstancesPolicy parameter.",
    );
  if (lt) return { kind: "launch-template", template: spec(lt, "LaunchTemplate")! };
  if (lc !== undefined) return { kind: "launch-configuration", name: lc };
  if (mip) return mixedPolicy(mip, "MixedInstancesPolicy");
  return undefined;
}

function updateAutoScalingGroup(p: QueryParams, fleet: Fleet): null {
  const name = p.str("AutoScalingGroupName");
  const minSize = p.int("MinSize");
  const maxSize = p.int("MaxSize");
  const desired = p.int("DesiredCapacity");
  const check = new Checker("ValidationError");
  check.required(name, "autoScalingGroupName");
  check.maxLength(name, 255, "autoScalingGroupName");
  check.throwIfAny();
  if (!fleet.groups().some((g) => g.name === name))
    throw new AwsError("ValidationError", `AutoScalingGroup name not found - AutoScalingGroup '${name}' not found`);
  const launch = launchSource(p);
  fleetCall(() => ec2Of(fleet).updateGroup(name!, { launch, minSize, maxSize, desiredCapacity: desired }));
  return null;
}

function startInstanceRefresh(p: QueryParams, fleet: Fleet): XmlValue {
  const name = p.str("AutoScalingGroupName");
  const strategy = p.str("Strategy");
  const prefs = p.sub("Preferences");
  const minHealthy = prefs?.int("MinHealthyPercentage");
  const warmup = prefs?.int("InstanceWarmup");
  const check = new Checker("ValidationError");
  check.required(name, "autoScalingGroupName");
  check.oneOf(strategy, ["Rolling"], "strategy");
  check.range(minHealthy, 0, 100, "preferences.minHealthyPercentage");
  check.range(warmup, 0, undefined, "preferences.instanceWarmup");
  check.throwIfAny();
  const desired = p.sub("DesiredConfiguration");
  let source: GroupLaunchSource | undefined;
  if (desired) {
    const lt = desired.sub("LaunchTemplate");
    const mip = desired.sub("MixedInstancesPolicy");
    if (lt) source = { kind: "launch-template", template: spec(lt, "DesiredConfiguration.LaunchTemplate")! };
    else if (mip) source = mixedPolicy(mip, "DesiredConfiguration.MixedInstancesPolicy");
  }
  const id = fleetCall(() =>
    ec2Of(fleet).startInstanceRefresh(name!, {
      minHealthyPercentage: minHealthy,
      instanceWarmup: warmup,
      skipMatching: prefs?.bool("SkipMatching"),
      desired: source,
    }),
  );
  return { InstanceRefreshId: id };
}

function refreshXml(r: InstanceRefreshInfo): XmlValue {
  const left = Math.round((r.instancesToUpdate * (100 - r.percentageComplete)) / 100);
  return {
    InstanceRefreshId: r.id,
    AutoScalingGroupName: r.group,
    Status: r.status,
    StatusReason: r.statusReason,
    StartTime: r.startTime,
    EndTime: r.endTime,
    PercentageComplete: r.percentageComplete,
    InstancesToUpdate: r.status === "Successful" ? 0 : left,
    ProgressDetails: {
      LivePoolProgress: {
        PercentageComplete: r.percentageComplete,
        InstancesToUpdate: r.status === "Successful" ? 0 : left,
      },
    },
    Preferences: {
      MinHealthyPercentage: r.minHealthyPercentage,
      InstanceWarmup: r.instanceWarmup,
      SkipMatching: r.skipMatching,
      AutoRollback: false,
      ScaleInProtectedInstances: "Ignore",
      StandbyInstances: "Ignore",
    },
    DesiredConfiguration: r.desired?.launchTemplate
      ? {
          LaunchTemplate: {
            LaunchTemplateId: r.desired.launchTemplate.id,
            LaunchTemplateName: r.desired.launchTemplate.name,
            Version: r.desired.launchTemplate.version,
          },
        }
      : undefined,
    Strategy: "Rolling",
  };
}

function describeInstanceRefreshes(p: QueryParams, fleet: Fleet): XmlValue {
  const name = p.str("AutoScalingGroupName");
  const ids = p.list("InstanceRefreshIds");
  const maxRecords = p.int("MaxRecords");
  const check = new Checker("ValidationError");
  check.required(name, "autoScalingGroupName");
  check.range(maxRecords, 1, 100, "maxRecords");
  check.throwIfAny();
  let list = fleetCall(() => ec2Of(fleet).instanceRefreshes(name!));
  if (ids && ids.length > 0) list = list.filter((r) => ids.includes(r.id));
  const query = { op: "DescribeInstanceRefreshes", name, ids };
  const r = page(list, readToken(p.str("NextToken"), query, TOKEN_MESSAGE), maxRecords ?? 50, query);
  return { InstanceRefreshes: r.items.map(refreshXml), NextToken: r.nextToken };
}

export const LAUNCH_OPERATIONS = {
  DescribeLaunchConfigurations: describeLaunchConfigurations,
  UpdateAutoScalingGroup: updateAutoScalingGroup,
  StartInstanceRefresh: startInstanceRefresh,
  DescribeInstanceRefreshes: describeInstanceRefreshes,
};
