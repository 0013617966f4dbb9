import {
  type AutoScalingClient,
  type AutoScalingGroup,
  type LaunchConfiguration,
  type LaunchTemplateOverrides,
  paginateDescribeAutoScalingGroups,
  paginateDescribeLaunchConfigurations,
} from "@aws-sdk/client-auto-scaling";
import {
  type EC2Client,
  type Image,
  type LaunchTemplateVersion,
  paginateDescribeImages,
  paginateDescribeLaunchTemplateVersions,
} from "@aws-sdk/client-ec2";
import { GetParametersCommand, type SSMClient } from "@aws-sdk/client-ssm";
import { awsError } from "../aws/errors.ts";
import { type EcsAmiParameter, parseAmiParameter } from "./agent-version.ts";
import type { LaunchSource } from "./types.ts";

/** The public parameters of the recommended ECS-optimized AMIs (their value names the image and its agent). */
export const ECS_AMI_PARAMETERS = [
  "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended",
  "/aws/service/ecs/optimized-ami/amazon-linux-2/recommended",
] as const;

/** What a group launches, as read from Auto Scaling and EC2. */
export type GroupLaunch = {
  group: string;
  launch: LaunchSource;
  hasWarmPool: boolean;
  /** The warm pool as the group describes it (absent: none). */
  warmPool?: { poolState?: string; minSize?: number; maxPreparedCapacity?: number; size?: number };
  /** Base64, as the template version or configuration holds it. */
  userData?: string;
  imageId?: string;
  imageName?: string;
  /** x86_64 or arm64 (DescribeImages): where the image's own public parameter lives. */
  imageArch?: string;
  /** For a template: the version launched (resolved) and the template's latest version number. */
  template?: { templateId: string; version: number; latestVersion: number };
  mixedOverrides?: LaunchTemplateOverrides[];
  /** Why the launch settings could not be read. */
  error?: string;
};

type Clients = { ec2: EC2Client; autoscaling: AutoScalingClient; ssm: SSMClient };

const IMAGE_BATCH = 100;
const CONFIG_BATCH = 50;

function chunks<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

/** Every group of the fleet, paginated (100 a page); or the named ones. */
export async function describeGroups(autoscaling: AutoScalingClient, names?: string[]): Promise<AutoScalingGroup[]> {
  const groups: AutoScalingGroup[] = [];
  try {
    for await (const page of paginateDescribeAutoScalingGroups(
      { client: autoscaling, pageSize: 100 },
      { MaxRecords: 100, ...(names ? { AutoScalingGroupNames: names } : {}) },
    )) {
      groups.push(...(page.AutoScalingGroups ?? []));
    }
  } catch (e) {
    throw awsError("DescribeAutoScalingGroups", e);
  }
  return groups;
}

/** The versions asked of one template, one call (pages) per template; $Latest rides along to learn the newest number. */
async function templateVersions(ec2: EC2Client, ref: string, versions: string[]): Promise<LaunchTemplateVersion[]> {
  const key = ref.startsWith("lt-") ? { LaunchTemplateId: ref } : { LaunchTemplateName: ref };
  const out: LaunchTemplateVersion[] = [];
  for await (const page of paginateDescribeLaunchTemplateVersions(
    { client: ec2 },
    { ...key, Versions: [...new Set([...versions, "$Latest"])] },
  )) {
    out.push(...(page.LaunchTemplateVersions ?? []));
  }
  return out;
}

function resolveVersion(found: LaunchTemplateVersion[], asked: string): LaunchTemplateVersion | undefined {
  if (asked === "$Latest") return [...found].sort((a, b) => (b.VersionNumber ?? 0) - (a.VersionNumber ?? 0))[0];
  if (asked === "$Default") return found.find((v) => v.DefaultVersion);
  return found.find((v) => String(v.VersionNumber) === asked);
}

/** The images by id: batched with an `image-id` filter, so an id that no longer exists is absent, not an error. */
async function describeImages(ec2: EC2Client, ids: string[]): Promise<Map<string, Image>> {
  const out = new Map<string, Image>();
  for (const batch of chunks(ids, IMAGE_BATCH)) {
    for await (const page of paginateDescribeImages(
      { client: ec2 },
      { Filters: [{ Name: "image-id", Values: batch }], IncludeDeprecated: true },
    )) {
      for (const img of page.Images ?? []) if (img.ImageId) out.set(img.ImageId, img);
    }
  }
  return out;
}

async function describeLaunchConfigurations(
  autoscaling: AutoScalingClient,
  names: string[],
): Promise<Map<string, LaunchConfiguration>> {
  const out = new Map<string, LaunchConfiguration>();
  for (const batch of chunks(names, CONFIG_BATCH)) {
    for await (const page of paginateDescribeLaunchConfigurations(
      { client: autoscaling, pageSize: CONFIG_BATCH },
      { LaunchConfigurationNames: batch, MaxRecords: CONFIG_BATCH },
    )) {
      for (const lc of page.LaunchConfigurations ?? [])
        if (lc.LaunchConfigurationName) out.set(lc.LaunchConfigurationName, lc);
    }
  }
  return out;
}

/** The recommended ECS-optimized AMIs (one GetParameters call); none when the parameters cannot be read. */
export async function readAmiParameters(ssm: SSMClient): Promise<EcsAmiParameter[]> {
  try {
    const res = await ssm.send(new GetParametersCommand({ Names: [...ECS_AMI_PARAMETERS] }));
    return (res.Parameters ?? [])
      .map((p) => (p.Name ? parseAmiParameter(p.Name, p.Value) : undefined))
      .filter((p): p is EcsAmiParameter => p !== undefined);
  } catch {
    // Without them the image name and the probe still tell the agent version; the evidence says which was used.
    return [];
  }
}

/**
 * Each ECS-optimized image has a public parameter of its own (`.../amazon-linux-2023/<image name>`, under `arm64/`
 * for Graviton) whose value names its agent: read for the groups' images, ten names a GetParameters call. Names that
 * do not exist come back as InvalidParameters, not as an error; a failure leaves the image name's date to answer.
 */
export async function readImageParameters(
  ssm: SSMClient,
  launches: readonly Pick<GroupLaunch, "imageName" | "imageArch">[],
): Promise<EcsAmiParameter[]> {
  const names = new Set<string>();
  for (const l of launches) {
    const os = l.imageName?.startsWith("al2023-ami-ecs-")
      ? "amazon-linux-2023"
      : l.imageName?.startsWith("amzn2-ami-ecs-")
        ? "amazon-linux-2"
        : undefined;
    if (!os || !l.imageName || !/^[\w.-]{1,200}$/.test(l.imageName)) continue;
    names.add(`/aws/service/ecs/optimized-ami/${os}${l.imageArch === "arm64" ? "/arm64" : ""}/${l.imageName}`);
  }
  const out: EcsAmiParameter[] = [];
  for (const batch of chunks([...names], 10)) {
    try {
      const res = await ssm.send(new GetParametersCommand({ Names: batch }));
      for (const p of res.Parameters ?? []) {
        const parsed = p.Name ? parseAmiParameter(p.Name, p.Value) : undefined;
        if (parsed) out.push(parsed);
      }
    } catch {
      // The image name's date still tells the agent; the evidence says which source answered.
    }
  }
  return out;
}

/** A template's ImageId may name a parameter (`resolve:ssm:<name>`): the image it resolves to at launch. */
function resolveImageId(imageId: string | undefined, parameters: readonly EcsAmiParameter[]): string | undefined {
  if (!imageId?.startsWith("resolve:ssm:")) return imageId;
  const name = imageId
    .slice("resolve:ssm:".length)
    .replace(/\/image_id$/, "")
    .replace(/:\d+$/, "");
  return parameters.find((p) => p.name === name)?.imageId;
}

function warmPoolOf(g: AutoScalingGroup): GroupLaunch["warmPool"] {
  const wp = g.WarmPoolConfiguration;
  if (!wp) return undefined;
  return {
    ...(wp.PoolState ? { poolState: wp.PoolState } : {}),
    ...(wp.MinSize !== undefined ? { minSize: wp.MinSize } : {}),
    ...(wp.MaxGroupPreparedCapacity !== undefined ? { maxPreparedCapacity: wp.MaxGroupPreparedCapacity } : {}),
    ...(g.WarmPoolSize !== undefined ? { size: g.WarmPoolSize } : {}),
  };
}

type TemplateRef = { ref: string; version: string };

function templateOf(
  g: AutoScalingGroup,
): { ref: TemplateRef; mixed: boolean; overrides?: LaunchTemplateOverrides[] } | undefined {
  const lt = g.LaunchTemplate ?? g.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
  const ref = lt?.LaunchTemplateId ?? lt?.LaunchTemplateName;
  if (!lt || !ref) return undefined;
  const mixed = !g.LaunchTemplate;
  const overrides = g.MixedInstancesPolicy?.LaunchTemplate?.Overrides;
  return { ref: { ref, version: lt.Version ?? "$Default" }, mixed, ...(mixed && overrides ? { overrides } : {}) };
}

/**
 * What each group launches: its template version ($Latest/$Default resolved) or launch configuration, the user
 * data and the image. One DescribeLaunchTemplateVersions per template, DescribeImages and DescribeLaunchConfigurations
 * in batches: never a call per instance. A template that cannot be read is that group's error, not the fleet's.
 */
export async function readGroupLaunches(
  clients: Clients,
  groups: readonly AutoScalingGroup[],
  parameters: readonly EcsAmiParameter[],
): Promise<GroupLaunch[]> {
  // Per template: the versions its groups ask for.
  const asked = new Map<string, Set<string>>();
  for (const g of groups) {
    const t = templateOf(g);
    if (t) asked.set(t.ref.ref, (asked.get(t.ref.ref) ?? new Set()).add(t.ref.version));
  }
  const versions = new Map<string, LaunchTemplateVersion[] | { error: string }>();
  for (const [ref, vs] of asked) {
    try {
      versions.set(ref, await templateVersions(clients.ec2, ref, [...vs]));
    } catch (e) {
      versions.set(ref, { error: awsError("DescribeLaunchTemplateVersions", e).message });
    }
  }
  const lcNames = [...new Set(groups.flatMap((g) => (g.LaunchConfigurationName ? [g.LaunchConfigurationName] : [])))];
  let configs = new Map<string, LaunchConfiguration>();
  let configError: string | undefined;
  try {
    configs = await describeLaunchConfigurations(clients.autoscaling, lcNames);
  } catch (e) {
    configError = awsError("DescribeLaunchConfigurations", e).message;
  }

  const launches: GroupLaunch[] = groups.map((g) => {
    const group = g.AutoScalingGroupName ?? "";
    const hasWarmPool = g.WarmPoolConfiguration !== undefined;
    const t = templateOf(g);
    if (t) {
      const found = versions.get(t.ref.ref);
      const base = {
        kind: t.mixed ? ("mixed-instances" as const) : ("launch-template" as const),
        templateId: t.ref.ref,
        version: t.ref.version,
      };
      if (!found || "error" in found) {
        return { group, hasWarmPool, launch: base, error: found && "error" in found ? found.error : "not read" };
      }
      const v = resolveVersion(found, t.ref.version);
      const latest = Math.max(0, ...found.map((x) => x.VersionNumber ?? 0));
      if (!v || v.VersionNumber === undefined) {
        return { group, hasWarmPool, launch: base, error: `version ${t.ref.version} of ${t.ref.ref} not found` };
      }
      const templateId = v.LaunchTemplateId ?? t.ref.ref;
      // Instance types whose override names another template launch what that template holds, which is not read
      // here: the group's exposure cannot be told from its main template alone.
      const others = (t.overrides ?? []).flatMap((o) => {
        const ref =
          o.LaunchTemplateSpecification?.LaunchTemplateId ?? o.LaunchTemplateSpecification?.LaunchTemplateName;
        return ref && ref !== templateId && ref !== v.LaunchTemplateName ? [ref] : [];
      });
      const imageId = resolveImageId(v.LaunchTemplateData?.ImageId, parameters);
      return {
        group,
        hasWarmPool,
        launch: {
          ...base,
          templateId,
          ...(v.LaunchTemplateName ? { templateName: v.LaunchTemplateName } : {}),
          resolvedVersion: v.VersionNumber,
        },
        ...(v.LaunchTemplateData?.UserData ? { userData: v.LaunchTemplateData.UserData } : {}),
        ...(imageId ? { imageId } : {}),
        template: { templateId, version: v.VersionNumber, latestVersion: latest },
        ...(t.overrides ? { mixedOverrides: t.overrides } : {}),
        ...(others.length > 0
          ? { error: `instance-type overrides launch other templates (${[...new Set(others)].join(", ")}), not read` }
          : {}),
      };
    }
    if (g.LaunchConfigurationName) {
      const launch: LaunchSource = { kind: "launch-configuration", name: g.LaunchConfigurationName };
      const lc = configs.get(g.LaunchConfigurationName);
      if (!lc) return { group, hasWarmPool, launch, error: configError ?? "launch configuration not found" };
      return {
        group,
        hasWarmPool,
        launch,
        ...(lc.UserData ? { userData: lc.UserData } : {}),
        ...(lc.ImageId ? { imageId: lc.ImageId } : {}),
      };
    }
    return {
      group,
      hasWarmPool,
      launch: { kind: "none" },
      error: "the group names no launch template or configuration",
    };
  });

  const imageIds = [...new Set(launches.flatMap((l) => (l.imageId ? [l.imageId] : [])))];
  let images = new Map<string, Image>();
  try {
    images = await describeImages(clients.ec2, imageIds);
  } catch {
    // The image's name is one of three sources of the agent version; without it the others still answer.
  }
  return launches.map((l, i) => {
    const image = l.imageId ? images.get(l.imageId) : undefined;
    const pool = warmPoolOf(groups[i]!);
    return {
      ...l,
      ...(image?.Name ? { imageName: image.Name } : {}),
      ...(image?.Architecture ? { imageArch: image.Architecture } : {}),
      ...(pool ? { warmPool: pool } : {}),
    };
  });
}
