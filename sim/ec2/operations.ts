/**
 * The EC2 operations the simulator serves (ec2Query): launch templates and their versions, images and regions of
 * the fleet's account and region. Each returns the response's members or throws an AwsError with EC2's code.
 */
import {
  type Fleet,
  type FleetEc2,
  FleetError,
  type ImageInfo,
  type LaunchTemplateData,
  type LaunchTemplateInfo,
  type LaunchTemplateVersionInfo,
} from "../fleet-types.ts";
import { AwsError } from "../protocol/errors.ts";
import { page, readToken } from "../protocol/paging.ts";
import type { Ec2Params, Ec2Xml } from "./protocol.ts";
import { DEFAULT_REGIONS, OPT_IN_REGIONS } from "./regions.ts";

export type Ec2Context = { fleet: Fleet };
export type Ec2Operation = (p: Ec2Params, ctx: Ec2Context) => { [k: string]: Ec2Xml };

function ec2Of(fleet: Fleet): FleetEc2 {
  if (!fleet.ec2) throw new AwsError("UnsupportedOperation", "This fleet has no EC2 model.");
  return fleet.ec2;
}

/** FleetErrors carry EC2's codes already; they become AwsErrors (400) here. */
function call<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof FleetError) throw new AwsError(e.code, e.message);
    throw e;
  }
}

function int(p: Ec2Params, name: string, min: number, max: number): number | undefined {
  const v = p.str(name);
  if (v === undefined || v === "") return undefined;
  const n = Number(v);
  if (!/^-?\d+$/.test(v) || n < min || n > max)
    throw new AwsError(
      "InvalidParameterValue",
      `Value ( ${v} ) for parameter ${name.charAt(0).toLowerCase()}${name.slice(1)} is invalid. Parameter must be between ${min} and ${max}.`,
    );
  return n;
}

function bool(p: Ec2Params, name: string): boolean | undefined {
  const v = p.str(name);
  if (v === undefined || v === "") return undefined;
  if (v !== "true" && v !== "false")
    throw new AwsError(
      "InvalidParameterValue",
      `Value (${v}) for parameter ${name} is invalid. Expected: 'true' or 'false'.`,
    );
  return v === "true";
}

/** EC2 filter values are globs: `*` any run, `?` one character. */
function glob(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  );
}

const matchesAny = (value: string | undefined, values: string[]) =>
  value !== undefined && values.some((v) => glob(v).test(value));

function tagsXml(tags: Record<string, string>): Ec2Xml {
  const entries = Object.entries(tags);
  return entries.length ? entries.map(([key, value]) => ({ key, value })) : undefined;
}

function dryRun(p: Ec2Params, op: string): void {
  if (bool(p, "DryRun"))
    throw new AwsError("DryRunOperation", `Request would have succeeded, but DryRun flag is set. (${op})`, 412);
}

// --- launch templates ------------------------------------------------------------------------------------------

function templateXml(t: LaunchTemplateInfo): Ec2Xml {
  return {
    launchTemplateId: t.id,
    launchTemplateName: t.name,
    createTime: t.createdAt,
    createdBy: t.createdBy,
    defaultVersionNumber: t.defaultVersion,
    latestVersionNumber: t.latestVersion,
    tagSet: tagsXml(t.tags),
  };
}

function dataXml(d: LaunchTemplateData): Ec2Xml {
  return {
    iamInstanceProfile: d.iamInstanceProfile
      ? { arn: d.iamInstanceProfile.arn, name: d.iamInstanceProfile.name }
      : undefined,
    imageId: d.imageId,
    instanceType: d.instanceType,
    keyName: d.keyName,
    userData: d.userData,
    tagSpecificationSet: d.tagSpecifications?.map((t) => ({ resourceType: t.resourceType, tagSet: tagsXml(t.tags) })),
    securityGroupIdSet: d.securityGroupIds,
    metadataOptions: d.metadataOptions
      ? {
          httpTokens: d.metadataOptions.httpTokens,
          httpPutResponseHopLimit: d.metadataOptions.httpPutResponseHopLimit,
          httpEndpoint: d.metadataOptions.httpEndpoint,
        }
      : undefined,
  };
}

function versionXml(v: LaunchTemplateVersionInfo): Ec2Xml {
  return {
    launchTemplateId: v.templateId,
    launchTemplateName: v.templateName,
    versionNumber: v.versionNumber,
    versionDescription: v.description,
    createTime: v.createdAt,
    createdBy: v.createdBy,
    defaultVersion: v.isDefault,
    launchTemplateData: dataXml(v.data),
  };
}

/** LaunchTemplateId or LaunchTemplateName, as the single-template calls take them. */
function templateRef(p: Ec2Params, required: boolean): { id?: string; name?: string } | undefined {
  const id = p.str("LaunchTemplateId");
  const name = p.str("LaunchTemplateName");
  if (id !== undefined && name !== undefined)
    throw new AwsError(
      "InvalidParameterCombination",
      "Both launch template ID and launch template name were specified; specify only one of them.",
    );
  if (id === undefined && name === undefined) {
    if (!required) return undefined;
    throw new AwsError(
      "MissingParameter",
      "The request must contain the parameter LaunchTemplateName or LaunchTemplateId",
    );
  }
  return id !== undefined ? { id } : { name };
}

function describeLaunchTemplates(p: Ec2Params, { fleet }: Ec2Context) {
  dryRun(p, "DescribeLaunchTemplates");
  const ec2 = ec2Of(fleet);
  const ids = p.list("LaunchTemplateId");
  const names = p.list("LaunchTemplateName");
  const max = int(p, "MaxResults", 1, 200);
  const filters = p.filters();
  let list: LaunchTemplateInfo[];
  if (ids || names) {
    list = [
      ...(ids ?? []).map((id) => call(() => ec2.template({ id }))),
      ...(names ?? []).map((name) => call(() => ec2.template({ name }))),
    ];
  } else list = ec2.templates();
  for (const f of filters) {
    if (f.name === "launch-template-name") list = list.filter((t) => matchesAny(t.name, f.values));
    else if (f.name.startsWith("tag:")) list = list.filter((t) => matchesAny(t.tags[f.name.slice(4)], f.values));
    else if (f.name === "tag-key") list = list.filter((t) => Object.keys(t.tags).some((k) => matchesAny(k, f.values)));
    else if (f.name === "create-time")
      list = list.filter((t) => matchesAny(t.createdAt.toISOString().replace(/\.\d+Z$/, ".000Z"), f.values));
    else throw new AwsError("InvalidParameterValue", `The filter '${f.name}' is invalid`);
  }
  const query = { op: "DescribeLaunchTemplates", ids, names, filters };
  const r = page(list, readToken(p.str("NextToken"), query), max ?? 1000, query);
  return { launchTemplates: r.items.map(templateXml), nextToken: r.nextToken };
}

const VERSION = /^(\$Latest|\$Default|\d+)$/;

function describeLaunchTemplateVersions(p: Ec2Params, { fleet }: Ec2Context) {
  dryRun(p, "DescribeLaunchTemplateVersions");
  const ec2 = ec2Of(fleet);
  const ref = templateRef(p, false);
  const wanted = p.list("LaunchTemplateVersion");
  const min = p.str("MinVersion");
  const maxV = p.str("MaxVersion");
  const max = int(p, "MaxResults", 1, 200);
  for (const v of [...(wanted ?? []), ...[min, maxV].filter((x): x is string => x !== undefined)])
    if (!VERSION.test(v))
      throw new AwsError(
        "InvalidLaunchTemplateId.VersionNotFound",
        `The version number ${v} is not valid. Specify $Latest, $Default or a version number.`,
      );
  let list: LaunchTemplateVersionInfo[];
  if (!ref) {
    // Across every template: only $Latest and $Default make sense there (as EC2 has it).
    if (!wanted || wanted.some((v) => v !== "$Latest" && v !== "$Default"))
      throw new AwsError(
        "MissingParameter",
        "The request must contain the parameter LaunchTemplateName or LaunchTemplateId, unless only $Latest or $Default versions are requested.",
      );
    list = [];
    for (const t of ec2.templates()) {
      const all = ec2.versions(t.id);
      const pick = new Set<number>();
      for (const v of wanted) pick.add(v === "$Latest" ? t.latestVersion : t.defaultVersion);
      list.push(...all.filter((v) => pick.has(v.versionNumber)));
    }
  } else {
    const t = call(() => ec2.template(ref));
    const all = ec2.versions(t.id);
    const num = (v: string) => (v === "$Latest" ? t.latestVersion : v === "$Default" ? t.defaultVersion : Number(v));
    if (wanted) {
      const pick: LaunchTemplateVersionInfo[] = [];
      for (const v of wanted) {
        const found = all.find((x) => x.versionNumber === num(v));
        if (!found)
          throw new AwsError(
            "InvalidLaunchTemplateId.VersionNotFound",
            `Could not find launch template version ${v} for launch template with ID ${t.id}.`,
          );
        if (!pick.includes(found)) pick.push(found);
      }
      list = pick;
    } else list = [...all].reverse();
    if (min !== undefined) list = list.filter((v) => v.versionNumber >= num(min));
    if (maxV !== undefined) list = list.filter((v) => v.versionNumber <= num(maxV));
  }
  for (const f of p.filters()) {
    const get: Record<string, (v: LaunchTemplateVersionInfo) => string | undefined> = {
      "is-default-version": (v) => String(v.isDefault),
      "image-id": (v) => v.data.imageId,
      "instance-type": (v) => v.data.instanceType,
      "key-name": (v) => v.data.keyName,
    };
    const fn = get[f.name];
    if (!fn) throw new AwsError("InvalidParameterValue", `The filter '${f.name}' is invalid`);
    list = list.filter((v) => matchesAny(fn(v), f.values));
  }
  const query = { op: "DescribeLaunchTemplateVersions", ref, wanted, min, maxV, filters: p.filters() };
  const r = page(list, readToken(p.str("NextToken"), query), max ?? 200, query);
  return { launchTemplateVersionSet: r.items.map(versionXml), nextToken: r.nextToken };
}

/** `LaunchTemplateData.*` of a request: the members the simulator models. */
function readData(p: Ec2Params): LaunchTemplateData | undefined {
  const d = p.sub("LaunchTemplateData");
  if (!d) return undefined;
  const profile = d.sub("IamInstanceProfile");
  const md = d.sub("MetadataOptions");
  const hop = md?.str("HttpPutResponseHopLimit");
  const specs: LaunchTemplateData["tagSpecifications"] = [];
  for (let i = 1; d.map.has(`TagSpecification.${i}.ResourceType`); i++) {
    const s = d.sub(`TagSpecification.${i}`)!;
    const tags: Record<string, string> = {};
    for (let j = 1; s.map.has(`Tag.${j}.Key`); j++) tags[s.str(`Tag.${j}.Key`)!] = s.str(`Tag.${j}.Value`) ?? "";
    specs.push({ resourceType: s.str("ResourceType")!, tags });
  }
  return {
    imageId: d.str("ImageId"),
    instanceType: d.str("InstanceType"),
    userData: d.str("UserData"),
    keyName: d.str("KeyName"),
    iamInstanceProfile: profile ? { arn: profile.str("Arn"), name: profile.str("Name") } : undefined,
    securityGroupIds: d.list("SecurityGroupId"),
    metadataOptions: md
      ? {
          httpTokens: md.str("HttpTokens"),
          httpPutResponseHopLimit: hop === undefined ? undefined : Number(hop),
          httpEndpoint: md.str("HttpEndpoint"),
        }
      : undefined,
    tagSpecifications: specs.length ? specs : undefined,
  };
}

/** ClientToken -> the version it created, per fleet: a retried create returns the same version. */
const created = new WeakMap<FleetEc2, Map<string, LaunchTemplateVersionInfo>>();

function createLaunchTemplateVersion(p: Ec2Params, { fleet }: Ec2Context) {
  dryRun(p, "CreateLaunchTemplateVersion");
  const ec2 = ec2Of(fleet);
  const ref = templateRef(p, true)!;
  const data = readData(p);
  if (!data) throw new AwsError("MissingParameter", "The request must contain the parameter LaunchTemplateData");
  const description = p.str("VersionDescription");
  if (description !== undefined && description.length > 255)
    throw new AwsError("InvalidParameterValue", "The version description must be at most 255 characters long.");
  const token = p.str("ClientToken");
  const tokens = created.get(ec2) ?? new Map<string, LaunchTemplateVersionInfo>();
  created.set(ec2, tokens);
  const seen = token !== undefined ? tokens.get(token) : undefined;
  const v = seen ?? call(() => ec2.createVersion(ref, { sourceVersion: p.str("SourceVersion"), description, data }));
  if (token !== undefined) tokens.set(token, v);
  return { launchTemplateVersion: versionXml(v) };
}

function modifyLaunchTemplate(p: Ec2Params, { fleet }: Ec2Context) {
  dryRun(p, "ModifyLaunchTemplate");
  const ec2 = ec2Of(fleet);
  const ref = templateRef(p, true)!;
  const version = p.str("SetDefaultVersion");
  const t =
    version === undefined
      ? call(() => ec2.template(ref))
      : call(() => {
          if (!VERSION.test(version))
            throw new FleetError(
              "InvalidLaunchTemplateId.VersionNotFound",
              `The version number ${version} is not valid. Specify $Latest, $Default or a version number.`,
            );
          return ec2.setDefaultVersion(ref, version);
        });
  return { launchTemplate: templateXml(t) };
}

// --- images and regions ----------------------------------------------------------------------------------------

const IMAGE_ID = /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/;

function imageXml(i: ImageInfo): Ec2Xml {
  return {
    imageId: i.id,
    imageLocation: `${i.ownerAlias ?? i.ownerId}/${i.name}`,
    imageState: "available",
    imageOwnerId: i.ownerId,
    creationDate: i.creationDate,
    isPublic: i.public,
    architecture: i.arch,
    imageType: "machine",
    platformDetails: "Linux/UNIX",
    usageOperation: "RunInstances",
    imageOwnerAlias: i.ownerAlias,
    name: i.name,
    description: i.description || undefined,
    enaSupport: true,
    sriovNetSupport: "simple",
    rootDeviceType: "ebs",
    rootDeviceName: "/dev/xvda",
    blockDeviceMapping: [
      {
        deviceName: "/dev/xvda",
        ebs: { deleteOnTermination: true, volumeSize: 30, volumeType: "gp3", encrypted: false },
      },
    ],
    virtualizationType: "hvm",
    bootMode: i.os === "al2023" ? "uefi-preferred" : undefined,
    imdsSupport: i.os === "al2023" ? "v2.0" : undefined,
    hypervisor: "xen",
  };
}

function describeImages(p: Ec2Params, { fleet }: Ec2Context) {
  dryRun(p, "DescribeImages");
  const ec2 = ec2Of(fleet);
  const account = ec2.account;
  const ids = p.list("ImageId");
  const owners = p.list("Owner");
  const max = int(p, "MaxResults", 5, 1000);
  let list = ec2.images();
  if (ids) {
    for (const id of ids)
      if (!IMAGE_ID.test(id)) throw new AwsError("InvalidAMIID.Malformed", `Invalid id: "${id}" (expecting "ami-...")`);
    const missing = ids.filter((id) => !list.some((i) => i.id === id));
    if (missing.length)
      throw new AwsError(
        "InvalidAMIID.NotFound",
        `The image id${missing.length > 1 ? "s" : ""} '[${missing.join(", ")}]' ${missing.length > 1 ? "do" : "does"} not exist`,
      );
    list = list.filter((i) => ids.includes(i.id));
  }
  if (owners) {
    list = list.filter((i) =>
      owners.some((o) => o === i.ownerId || (o === "self" && i.ownerId === account) || o === i.ownerAlias),
    );
  }
  for (const f of p.filters()) {
    const get: Record<string, (i: ImageInfo) => string | undefined> = {
      name: (i) => i.name,
      "image-id": (i) => i.id,
      "owner-id": (i) => i.ownerId,
      "owner-alias": (i) => i.ownerAlias,
      architecture: (i) => i.arch,
      state: () => "available",
      "is-public": (i) => String(i.public),
      description: (i) => i.description,
      "image-type": () => "machine",
      "root-device-type": () => "ebs",
      "virtualization-type": () => "hvm",
    };
    const fn = get[f.name];
    if (!fn) throw new AwsError("InvalidParameterValue", `The filter '${f.name}' is invalid`);
    list = list.filter((i) => matchesAny(fn(i), f.values));
  }
  const query = { op: "DescribeImages", ids, owners, filters: p.filters() };
  const r = page(list, readToken(p.str("NextToken"), query), max ?? 1000, query);
  return { imagesSet: r.items.map(imageXml), nextToken: r.nextToken };
}

function describeRegions(p: Ec2Params) {
  dryRun(p, "DescribeRegions");
  const names = p.list("RegionName");
  const all = bool(p, "AllRegions") ?? false;
  const known = [...DEFAULT_REGIONS, ...OPT_IN_REGIONS];
  if (names) {
    const bad = names.find((n) => !known.includes(n));
    if (bad) throw new AwsError("InvalidParameterValue", `Invalid region: ${bad}`);
  }
  let rows = [
    ...DEFAULT_REGIONS.map((r) => ({ name: r, optIn: "opt-in-not-required" })),
    ...(all || names ? OPT_IN_REGIONS.map((r) => ({ name: r, optIn: "not-opted-in" })) : []),
  ].sort((a, b) => a.name.localeCompare(b.name));
  if (names) rows = rows.filter((r) => names.includes(r.name));
  for (const f of p.filters()) {
    if (f.name === "region-name") rows = rows.filter((r) => matchesAny(r.name, f.values));
    else if (f.name === "opt-in-status") rows = rows.filter((r) => matchesAny(r.optIn, f.values));
    else if (f.name === "endpoint") rows = rows.filter((r) => matchesAny(`ec2.${r.name}.amazonaws.com`, f.values));
    else throw new AwsError("InvalidParameterValue", `The filter '${f.name}' is invalid`);
  }
  return {
    regionInfo: rows.map((r) => ({
      regionName: r.name,
      regionEndpoint: `ec2.${r.name}.amazonaws.com`,
      optInStatus: r.optIn,
    })),
  };
}

export const EC2_OPERATIONS: Record<string, Ec2Operation> = {
  DescribeLaunchTemplates: describeLaunchTemplates,
  DescribeLaunchTemplateVersions: describeLaunchTemplateVersions,
  CreateLaunchTemplateVersion: createLaunchTemplateVersion,
  ModifyLaunchTemplate: modifyLaunchTemplate,
  DescribeImages: describeImages,
  DescribeRegions: describeRegions,
};
