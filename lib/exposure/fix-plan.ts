import { createHash } from "node:crypto";
import type { EcsAmiParameter } from "./agent-version.ts";
import { fixUserData } from "./fix-user-data.ts";
import type { UserDataReading } from "./read-check.ts";
import type { GroupExposure } from "./types.ts";

/** One step of the runbook: what it does, and the AWS CLI text that does it. */
export type FixStep = { step: "template" | "point" | "refresh"; title: string; command: string; optional?: boolean };

/**
 * The permanent fix for an exposed group: a new launch template version (the check off, or the recommended image),
 * the group pointed at it, and optionally an instance refresh. `token` binds a confirmation to exactly this plan: the
 * write verbs recompute the plan and refuse a token that no longer matches.
 */
export type FixPlan = {
  fleet: string;
  group: string;
  kind: "check-off" | "image";
  templateId: string;
  sourceVersion: number;
  /** The version the new one will most likely get (the template's latest + 1); the create call's answer is the truth. */
  expectedVersion: number;
  /** What the new version changes (`UserData`, base64; or `ImageId`). */
  launchTemplateData: { UserData?: string; ImageId?: string };
  /** Unified diff of the decoded user data (check-off), or of the image id. */
  diff: string;
  steps: FixStep[];
  /** Confirms the template step (CreateLaunchTemplateVersion with exactly launchTemplateData). */
  token: string;
  /** Confirm pointing the group at expectedVersion, and refreshing it then (the template step answers new ones). */
  pointToken: string;
  refreshToken: string;
  /** For a mixed-instances group: its policy's launch template spec as the point step sends it (overrides kept). */
  mixedOverrides?: unknown[];
};

export type NoFix = { fleet: string; group: string; reason: string; steps: FixStep[] };

/** Single-quotes a word for a POSIX shell (values from AWS, never from a request, but quoted all the same). */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The confirmation token of pointing a group at a version, or of refreshing it once it launches that version. */
export function stepToken(
  fleet: string,
  group: string,
  step: "point" | "refresh",
  templateId: string,
  version: number,
) {
  const h = createHash("sha256");
  h.update(JSON.stringify([fleet, group, step, templateId, version]));
  return h.digest("hex").slice(0, 32);
}

/** A word as is when it is plainly safe (ids, `Key=value,...`), else quoted: nothing from AWS is trusted as shell. */
function word(s: string): string {
  return /^[\w.,=-]+$/.test(s) ? s : shellQuote(s);
}

export function planToken(p: Pick<FixPlan, "fleet" | "group" | "templateId" | "sourceVersion" | "launchTemplateData">) {
  const h = createHash("sha256");
  h.update(JSON.stringify([p.fleet, p.group, p.templateId, p.sourceVersion, p.launchTemplateData]));
  return h.digest("hex").slice(0, 32);
}

/** The recommended image of the same family as the group's (AL2023 or AL2) from the public parameters. */
export function recommendedImage(
  imageName: string | undefined,
  parameters: readonly EcsAmiParameter[],
): EcsAmiParameter | undefined {
  const family = imageName?.startsWith("amzn2-") ? "amazon-linux-2/" : "amazon-linux-2023/";
  return parameters.find((p) => p.name.includes(family) && p.name.endsWith("/recommended"));
}

export type PlanInput = {
  exposure: GroupExposure;
  reading: UserDataReading;
  region: string;
  /** The template version the group launches (resolved) and the template's latest version number. */
  template?: { templateId: string; version: number; latestVersion: number };
  parameters: readonly EcsAmiParameter[];
  mixedOverrides?: unknown[];
  /** Prefer the recommended image over turning the check off (the check is then kept as the group wants it). */
  prefer?: "check-off" | "image";
};

/** The runbook for an exposed group, or why there is none. Pure: the inputs are what the reads returned. */
export function planFix(input: PlanInput): FixPlan | NoFix {
  const { exposure: e, region } = input;
  const none = (reason: string, steps: FixStep[] = []): NoFix => ({ fleet: e.fleet, group: e.group, reason, steps });
  if (e.exposure !== "exposed") return none(`The group is ${e.exposure}: nothing to fix.`);
  if (!input.template || (e.launch.kind !== "launch-template" && e.launch.kind !== "mixed-instances")) {
    return none(
      "The group launches from a launch configuration, which cannot take a new version: move it to a launch template " +
        "with the check off (aws ec2 create-launch-template, then aws autoscaling update-auto-scaling-group --launch-template).",
    );
  }
  const { templateId, version, latestVersion } = input.template;
  const image = recommendedImage(e.agent.imageName, input.parameters);
  const fixed = fixUserData(input.reading);
  const useImage = (input.prefer === "image" || !fixed) && image && image.imageId !== e.agent.imageId;
  if (!fixed && !useImage) {
    return none("The deciding line does not carry a literal true, and no recommended image is known: fix by hand.");
  }
  const launchTemplateData = useImage ? { ImageId: image!.imageId } : { UserData: fixed!.userData };
  const diff = useImage
    ? `--- a/ImageId\n+++ b/ImageId\n@@ -1,1 +1,1 @@\n-${e.agent.imageId ?? "(none)"}\n+${image!.imageId}\n`
    : fixed!.diff;
  const next = latestVersion + 1;
  const r = `--region ${shellQuote(region)}`;
  const description = useImage
    ? `fleet-doctor: recommended ECS-optimized AMI ${image!.imageId}`
    : "fleet-doctor: ECS_WARM_POOLS_CHECK off";
  const point =
    e.launch.kind === "mixed-instances"
      ? `--mixed-instances-policy ${shellQuote(
          JSON.stringify({
            LaunchTemplate: {
              LaunchTemplateSpecification: { LaunchTemplateId: templateId, Version: String(next) },
              ...(input.mixedOverrides?.length ? { Overrides: input.mixedOverrides } : {}),
            },
          }),
        )}`
      : `--launch-template ${word(`LaunchTemplateId=${templateId},Version=${next}`)}`;
  const steps: FixStep[] = [
    {
      step: "template",
      title: `Create version ${next} of ${templateId} from version ${version}, ${useImage ? `with image ${image!.imageId}` : "with the check off"}`,
      command: [
        `aws ec2 create-launch-template-version ${r}`,
        `--launch-template-id ${word(templateId)} --source-version ${version}`,
        `--version-description ${shellQuote(description)}`,
        `--launch-template-data ${shellQuote(JSON.stringify(launchTemplateData))}`,
      ].join(" "),
    },
    {
      step: "point",
      title: `Point ${e.group} at version ${next} (its next launches use it)`,
      command: `aws autoscaling update-auto-scaling-group ${r} --auto-scaling-group-name ${shellQuote(e.group)} ${point}`,
    },
    {
      step: "refresh",
      title: `Replace ${e.group}'s instances with ones from the new version`,
      command: `aws autoscaling start-instance-refresh ${r} --auto-scaling-group-name ${shellQuote(e.group)} --preferences '{"MinHealthyPercentage":90}'`,
      optional: true,
    },
  ];
  const plan = {
    fleet: e.fleet,
    group: e.group,
    kind: useImage ? ("image" as const) : ("check-off" as const),
    templateId,
    sourceVersion: version,
    expectedVersion: next,
    launchTemplateData,
    diff,
    steps,
    ...(input.mixedOverrides?.length ? { mixedOverrides: input.mixedOverrides } : {}),
  };
  return {
    ...plan,
    token: planToken(plan),
    pointToken: stepToken(e.fleet, e.group, "point", templateId, next),
    refreshToken: stepToken(e.fleet, e.group, "refresh", templateId, next),
  };
}

export function isFixPlan(p: FixPlan | NoFix): p is FixPlan {
  return "token" in p;
}
