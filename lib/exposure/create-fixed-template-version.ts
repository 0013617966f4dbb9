import { CreateLaunchTemplateVersionCommand } from "@aws-sdk/client-ec2";
import { z } from "zod";
import { FleetDoctorError } from "../errors.ts";
import {
  audited,
  checkToken,
  confirmation,
  type FixContext,
  GROUP_NAME,
  parseBody,
  requireOperator,
} from "./fix-context.ts";
import { type FixPlan, isFixPlan, stepToken } from "./fix-plan.ts";
import { assessGroups, fixOf } from "./group-exposures.ts";

const schema = z.strictObject({ ...confirmation, prefer: z.enum(["check-off", "image"]).optional() });

export type CreatedVersion = {
  templateId: string;
  version: number;
  plan: FixPlan;
  /** Confirm the next steps with these (they name the version just created). */
  pointToken: string;
  refreshToken: string;
};

/**
 * Creates the fixed launch template version of an exposed group: CreateLaunchTemplateVersion from the version the
 * group launches, with exactly the preview's user data (or image). The plan is computed again now; a token from the
 * preview must still match it. The ClientToken is the plan's token, so sending one plan twice creates one version.
 */
export async function createFixedTemplateVersion(
  group: string,
  input: unknown,
  ctx: FixContext,
): Promise<CreatedVersion> {
  requireOperator(ctx.actor);
  const name = GROUP_NAME.parse(group);
  const body = parseBody(schema, input);
  const [a] = await assessGroups(ctx, ctx.fleet, [name]);
  if (!a || a.exposure.group !== name) {
    throw new FleetDoctorError("NOT_FOUND", `No Auto Scaling group ${name} in ${ctx.fleet}`, { group: name });
  }
  const plan = fixOf(a, ctx.fleet, body.prefer);
  if (!isFixPlan(plan)) throw new FleetDoctorError("UNPROCESSABLE", plan.reason, { group: name });
  checkToken(body.token, plan.token, "fix");
  const description =
    plan.kind === "image"
      ? `fleet-doctor: recommended image ${plan.launchTemplateData.ImageId}`
      : "fleet-doctor: ECS_WARM_POOLS_CHECK off";
  const request = {
    LaunchTemplateId: plan.templateId,
    SourceVersion: String(plan.sourceVersion),
    VersionDescription: description,
    LaunchTemplateData: plan.launchTemplateData,
    ClientToken: plan.token,
  };
  const res = await audited(
    ctx,
    { group: name, step: "template", templateId: plan.templateId, version: plan.sourceVersion, request },
    () => ctx.clients.ec2.send(new CreateLaunchTemplateVersionCommand(request)),
    (r) => ({
      version: r.LaunchTemplateVersion?.VersionNumber,
      detail: `created version ${r.LaunchTemplateVersion?.VersionNumber ?? "?"} of ${plan.templateId}`,
    }),
  );
  const version = res.LaunchTemplateVersion?.VersionNumber;
  if (version === undefined)
    throw new FleetDoctorError("AWS_ERROR", "CreateLaunchTemplateVersion answered no version number");
  return {
    templateId: plan.templateId,
    version,
    plan,
    pointToken: stepToken(ctx.fleet, name, "point", plan.templateId, version),
    refreshToken: stepToken(ctx.fleet, name, "refresh", plan.templateId, version),
  };
}
