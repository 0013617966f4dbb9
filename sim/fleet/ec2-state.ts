/**
 * EC2 of one fleet (one account in one region): its launch templates and their versions, the image catalogue,
 * launch configurations, and what each Auto Scaling group launches from. A launch resolves the group's source at the
 * version it names *now* (so pointing a group at a fixed version changes its next launches, not its members), and
 * boots the host from the image's agent and the user data's ecs.config (user-data.ts).
 *
 * Owned by the fleet (createFleet), so it multiplies with fleets: each account and region has its own templates.
 */
import {
  FleetError,
  type GroupLaunchSource,
  type GroupUpdate,
  type ImageInfo,
  type LaunchConfigurationInfo,
  type LaunchTemplateData,
  type LaunchTemplateInfo,
  type LaunchTemplateVersionInfo,
  type TemplateSpec,
} from "../fleet-types.ts";
import { type PublicParameter, publicParameters, type RegionalImage, regionalImages } from "./images.ts";
import { hashString } from "./random.ts";
import type { Scenario, ScenarioGroup, ScenarioUserData } from "./scenario-schema.ts";
import { bootFiles, ETC_ECS_CONFIG, encodeUserData, VAR_LIB_ECS_CONFIG } from "./user-data.ts";

type Template = {
  info: LaunchTemplateInfo;
  versions: LaunchTemplateVersionInfo[];
};

/** What a launch boots: the image, the files cloud-init wrote, and the template version it came from. */
export type ResolvedLaunch = {
  image: RegionalImage;
  instanceType?: string;
  httpTokens?: string;
  /** /etc/ecs/ecs.config as the user data left it ("" when it wrote none). */
  ecsConfig: string;
  /** /var/lib/ecs/ecs.config, when the user data wrote one. */
  instanceEcsConfig?: string;
  /** The template and the version number the instance was launched from (DescribeAutoScalingInstances). */
  launchTemplate?: TemplateSpec;
};

export function userDataBase64(u: ScenarioUserData | undefined): string | undefined {
  if (u === undefined) return undefined;
  if (typeof u === "string") return encodeUserData(u);
  if ("base64" in u) return u.base64.replace(/\s+/g, "");
  return encodeUserData(u.text, u.gzip);
}

export function templateIdFor(account: string, region: string, name: string): string {
  const h = (n: number) => hashString(`${account}/${region}/lt/${name}/${n}`).toString(16).padStart(8, "0");
  return `lt-0${h(1)}${h(2)}`;
}

const TEMPLATE_ID = /^lt-[0-9a-f]{17}$/;
const IMAGE_ID = /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/;

export class Ec2State {
  readonly images: RegionalImage[];
  private readonly templates = new Map<string, Template>();
  private readonly configs = new Map<string, LaunchConfigurationInfo & { httpTokens?: string }>();
  private readonly createdBy: string;

  constructor(
    scenario: Scenario,
    readonly region: string,
    readonly account: string,
    createdAt: number,
  ) {
    this.createdBy = `arn:aws:iam::${account}:user/sim`;
    this.images = regionalImages(
      region,
      scenario.images.map((i) => ({
        name: i.name,
        id: i.id,
        agentVersion: i.agentVersion,
        os: i.os,
        arch: i.arch,
        creationDate: new Date(i.creationDate).toISOString(),
        ownerId: account,
        description: i.description,
      })),
    );
    for (const t of scenario.launchTemplates) {
      const id = t.id ?? templateIdFor(account, region, t.name);
      const created = createdAt - t.createdAgo * 1000;
      const info: LaunchTemplateInfo = {
        id,
        name: t.name,
        createdAt: new Date(created),
        createdBy: this.createdBy,
        defaultVersion: t.defaultVersion,
        latestVersion: t.versions.length,
        tags: t.tags,
      };
      const n = t.versions.length;
      const versions = t.versions.map((v, i): LaunchTemplateVersionInfo => {
        // Versions spread between the template's creation and now unless they say when.
        const at =
          v.createdAgo !== undefined ? createdAt - v.createdAgo * 1000 : created + (i * (createdAt - created)) / n;
        return {
          templateId: id,
          templateName: t.name,
          versionNumber: i + 1,
          description: v.description,
          createdAt: new Date(Math.round(at)),
          createdBy: this.createdBy,
          isDefault: i + 1 === t.defaultVersion,
          data: {
            imageId: v.image === undefined ? undefined : this.imageNamed(v.image).id,
            instanceType: v.instanceType,
            userData: userDataBase64(v.userData),
            metadataOptions: v.httpTokens
              ? { httpTokens: v.httpTokens, httpPutResponseHopLimit: 2, httpEndpoint: "enabled" }
              : undefined,
          },
        };
      });
      this.templates.set(id, { info, versions });
    }
    for (const c of scenario.launchConfigurations) {
      this.configs.set(c.name, {
        name: c.name,
        arn: `arn:aws:autoscaling:${region}:${account}:launchConfiguration:${uuidFrom(c.name)}:launchConfigurationName/${c.name}`,
        imageId: this.imageNamed(c.image).id,
        instanceType: c.instanceType,
        userData: userDataBase64(c.userData),
        createdAt: new Date(createdAt - c.createdAgo * 1000),
        metadataOptions: c.httpTokens ? { httpTokens: c.httpTokens, httpEndpoint: "enabled" } : undefined,
      });
    }
  }

  /** An image by catalogue name, own name or id (the scenario was validated: it exists). */
  imageNamed(ref: string): RegionalImage {
    const img = this.images.find((i) => i.name === ref || i.id === ref);
    if (!img) throw new FleetError("InvalidAMIID.NotFound", `The image id '[${ref}]' does not exist`);
    return img;
  }

  /** The group's launch source from the scenario, with template names resolved to ids. */
  sourceOf(g: ScenarioGroup): GroupLaunchSource | undefined {
    const spec = (ref: { name: string; version: string }): TemplateSpec => ({
      id: this.template({ name: ref.name }).id,
      name: ref.name,
      version: ref.version,
    });
    if (g.launchTemplate) return { kind: "launch-template", template: spec(g.launchTemplate) };
    if (g.launchConfiguration !== undefined) return { kind: "launch-configuration", name: g.launchConfiguration };
    const mip = g.mixedInstancesPolicy;
    if (mip)
      return {
        kind: "mixed-instances",
        template: spec(mip.launchTemplate),
        overrides: mip.overrides.map((o) => ({
          instanceType: o.instanceType,
          imageId: o.image === undefined ? undefined : this.imageNamed(o.image).id,
          weightedCapacity: o.weightedCapacity,
          template: o.launchTemplate ? spec(o.launchTemplate) : undefined,
        })),
        distribution: { ...mip.instancesDistribution },
      };
    return undefined;
  }

  // --- launch templates ---------------------------------------------------------------------------------------

  templateList(): LaunchTemplateInfo[] {
    return [...this.templates.values()].map((t) => ({ ...t.info }));
  }

  private find(ref: { id?: string; name?: string }): Template {
    if (ref.id !== undefined) {
      if (!TEMPLATE_ID.test(ref.id))
        throw new FleetError(
          "InvalidLaunchTemplateId.Malformed",
          `The specified ID for the launch template (${ref.id}) is not valid. The ID must be in the format lt-xxxxxxxxxxxxxxxxx.`,
        );
      const t = this.templates.get(ref.id);
      if (!t)
        throw new FleetError(
          "InvalidLaunchTemplateId.NotFound",
          `The specified launch template, with template ID ${ref.id}, does not exist.`,
        );
      return t;
    }
    const t = [...this.templates.values()].find((x) => x.info.name === ref.name);
    if (!t)
      throw new FleetError(
        "InvalidLaunchTemplateName.NotFoundException",
        `The specified launch template, with template name ${ref.name}, does not exist.`,
      );
    return t;
  }

  template(ref: { id?: string; name?: string }): LaunchTemplateInfo {
    return { ...this.find(ref).info };
  }

  versions(templateId: string): LaunchTemplateVersionInfo[] {
    const t = this.find({ id: templateId });
    return t.versions.map((v) => ({ ...v, isDefault: v.versionNumber === t.info.defaultVersion }));
  }

  /** `$Latest`, `$Default` or a number to the version; VersionNotFound otherwise. */
  private version(t: Template, version: string): LaunchTemplateVersionInfo {
    const n =
      version === "$Latest"
        ? t.info.latestVersion
        : version === "$Default"
          ? t.info.defaultVersion
          : /^\d+$/.test(version)
            ? Number(version)
            : Number.NaN;
    if (Number.isNaN(n))
      throw new FleetError(
        "InvalidLaunchTemplateId.VersionNotFound",
        `The version number ${version} is not valid. Specify $Latest, $Default or a version number.`,
      );
    const v = t.versions[n - 1];
    if (!v)
      throw new FleetError(
        "InvalidLaunchTemplateId.VersionNotFound",
        `Could not find launch template version ${version} for launch template with ID ${t.info.id}.`,
      );
    return { ...v, isDefault: v.versionNumber === t.info.defaultVersion };
  }

  resolveVersion(ref: { id?: string; name?: string }, version: string): LaunchTemplateVersionInfo {
    return this.version(this.find(ref), version);
  }

  createVersion(
    ref: { id?: string; name?: string },
    opts: { sourceVersion?: string; description?: string; data: LaunchTemplateData },
  ): LaunchTemplateVersionInfo {
    const t = this.find(ref);
    if (opts.data.imageId !== undefined && !IMAGE_ID.test(opts.data.imageId))
      throw new FleetError("InvalidAMIID.Malformed", `Invalid id: "${opts.data.imageId}" (expecting "ami-...")`);
    if (opts.data.userData !== undefined && !/^[A-Za-z0-9+/]*={0,2}$/.test(opts.data.userData))
      throw new FleetError("InvalidUserData.Malformed", "Invalid BASE64 encoding of user data.");
    if (t.versions.length >= 10_000)
      throw new FleetError(
        "LaunchTemplateVersionLimitExceeded",
        `The launch template ${t.info.id} has reached its version limit of 10000.`,
      );
    const base = opts.sourceVersion !== undefined ? this.version(t, opts.sourceVersion).data : {};
    const data: LaunchTemplateData = { ...structuredClone(base) };
    for (const [k, v] of Object.entries(opts.data)) if (v !== undefined) (data as Record<string, unknown>)[k] = v;
    const v: LaunchTemplateVersionInfo = {
      templateId: t.info.id,
      templateName: t.info.name,
      versionNumber: t.versions.length + 1,
      description: opts.description,
      createdAt: new Date(),
      createdBy: this.createdBy,
      isDefault: false,
      data,
    };
    t.versions.push(v);
    t.info.latestVersion = v.versionNumber;
    return { ...v };
  }

  setDefaultVersion(ref: { id?: string; name?: string }, version: string): LaunchTemplateInfo {
    const t = this.find(ref);
    t.info.defaultVersion = this.version(t, version).versionNumber;
    return { ...t.info };
  }

  // --- images, parameters, launch configurations ---------------------------------------------------------------

  imageList(): ImageInfo[] {
    return this.images.map((i) => ({
      id: i.id,
      name: i.name,
      ownerId: i.ownerId,
      ownerAlias: i.ownerAlias,
      description: i.description,
      creationDate: i.creationDate,
      arch: i.arch,
      agentVersion: i.agentVersion,
      os: i.os,
      public: i.ownerAlias === "amazon",
    }));
  }

  parameters(): PublicParameter[] {
    return publicParameters(this.images);
  }

  launchConfigurationList(): LaunchConfigurationInfo[] {
    return [...this.configs.values()].map((c) => ({ ...c }));
  }

  // --- groups ---------------------------------------------------------------------------------------------------

  /** Checks a group's new launch source (UpdateAutoScalingGroup) the way Auto Scaling does; returns it normalised. */
  checkSource(source: GroupLaunchSource): GroupLaunchSource {
    const spec = (s: TemplateSpec): TemplateSpec => {
      const t = this.findForGroup(s);
      const version = s.version || "$Default";
      try {
        this.version(t, version);
      } catch {
        throw new FleetError(
          "ValidationError",
          `You must use a valid fully-formed launch template. The specified launch template version ${version} for launch template ${t.info.id} does not exist.`,
        );
      }
      return { id: t.info.id, name: t.info.name, version };
    };
    if (source.kind === "launch-template") return { kind: "launch-template", template: spec(source.template) };
    if (source.kind === "launch-configuration") {
      if (!this.configs.has(source.name))
        throw new FleetError(
          "ValidationError",
          `Launch configuration name not found - Launch configuration ${source.name} not found`,
        );
      return source;
    }
    return {
      ...source,
      template: spec(source.template),
      overrides: source.overrides.map((o) => ({ ...o, template: o.template ? spec(o.template) : undefined })),
    };
  }

  private findForGroup(s: { id?: string; name?: string }): Template {
    try {
      return this.find({ id: s.id || undefined, name: s.id ? undefined : s.name });
    } catch {
      throw new FleetError(
        "ValidationError",
        s.id
          ? `You must use a valid fully-formed launch template. The specified launch template, with template ID ${s.id}, does not exist.`
          : `You must use a valid fully-formed launch template. The specified launch template, with template name ${s.name}, does not exist.`,
      );
    }
  }

  /**
   * What launch number `sequence` of a group boots from its source: the template version it names now (a mixed
   * policy's overrides taken in turn), the image and the files the user data writes.
   */
  resolveLaunch(source: GroupLaunchSource, sequence: number): ResolvedLaunch {
    let instanceType: string | undefined;
    let imageId: string | undefined;
    if (source.kind === "launch-configuration") {
      const c = this.configs.get(source.name);
      if (!c) throw new FleetError("ValidationError", `Launch configuration ${source.name} not found`);
      const data: LaunchTemplateData = { imageId: c.imageId, instanceType: c.instanceType, userData: c.userData };
      return this.boot(data, c.instanceType, c.imageId, undefined, c.metadataOptions?.httpTokens);
    }
    let spec = source.template;
    if (source.kind === "mixed-instances" && source.overrides.length > 0) {
      const o = source.overrides[(sequence - 1) % source.overrides.length]!;
      if (o.template) spec = o.template;
      instanceType = o.instanceType;
      imageId = o.imageId;
    }
    const v = this.version(this.findForGroup(spec), spec.version || "$Default");
    const data = v.data;
    const launchTemplate: TemplateSpec = { id: v.templateId, name: v.templateName, version: String(v.versionNumber) };
    return this.boot(
      data,
      instanceType ?? data.instanceType,
      imageId ?? data.imageId,
      launchTemplate,
      data.metadataOptions?.httpTokens,
    );
  }

  private boot(
    data: LaunchTemplateData,
    instanceType: string | undefined,
    imageId: string | undefined,
    launchTemplate: TemplateSpec | undefined,
    httpTokens: string | undefined,
  ): ResolvedLaunch {
    if (!imageId)
      throw new FleetError("InvalidParameterValue", "The launch template does not specify an image (ImageId).");
    const image = this.images.find((i) => i.id === imageId);
    if (!image) throw new FleetError("InvalidAMIID.NotFound", `The image id '[${imageId}]' does not exist`);
    const files = bootFiles(data.userData);
    return {
      image,
      instanceType,
      httpTokens,
      ecsConfig: files.get(ETC_ECS_CONFIG) ?? "",
      instanceEcsConfig: files.get(VAR_LIB_ECS_CONFIG),
      launchTemplate,
    };
  }
}

/** Sizes and source of UpdateAutoScalingGroup, checked against the group as Auto Scaling checks them. */
export function checkSizes(
  u: GroupUpdate,
  current: { minSize: number; maxSize: number; desiredCapacity: number },
): { minSize: number; maxSize: number; desiredCapacity: number } {
  const minSize = u.minSize ?? current.minSize;
  const maxSize = u.maxSize ?? current.maxSize;
  if (minSize > maxSize)
    throw new FleetError("ValidationError", `Minimum size ${minSize} is greater than maximum size ${maxSize}.`);
  let desired = u.desiredCapacity ?? current.desiredCapacity;
  if (u.desiredCapacity !== undefined && (desired < minSize || desired > maxSize))
    throw new FleetError(
      "ValidationError",
      `Desired capacity:${desired} must be between the specified min size:${minSize} and max size:${maxSize}`,
    );
  desired = Math.min(Math.max(desired, minSize), maxSize);
  return { minSize, maxSize, desiredCapacity: desired };
}

function uuidFrom(s: string): string {
  const h = (n: number) => hashString(`lc/${s}/${n}`).toString(16).padStart(8, "0");
  const x = h(1) + h(2) + h(3) + h(4);
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-4${x.slice(13, 16)}-a${x.slice(17, 20)}-${x.slice(20, 32)}`;
}
