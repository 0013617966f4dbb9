import { UpdateAutoScalingGroupCommand } from "@aws-sdk/client-auto-scaling";
import { z } from "zod";
import { FleetDoctorError } from "../errors.ts";
import {
  audited,
  checkToken,
  confirmation,
  type FixContext,
  GROUP_NAME,
  oneGroup,
  parseBody,
  requireOperator,
} from "./fix-context.ts";
import { stepToken } from "./fix-plan.ts";
import { assessLaunches } from "./group-exposures.ts";
import type { GroupExposure } from "./types.ts";

const schema = z.strictObject({ ...confirmation, version: z.number().int().min(1).max(1_000_000) });

/**
 * Points a group at a version of the template it already launches (UpdateAutoScalingGroup), only if that version
 * reads as safe: the same reading as the exposure (its user data and image), so a group is never pointed at a version
 * whose launches would fail. A mixed-instances group keeps its overrides.
 */
export async function pointGroupAtVersion(
  group: string,
  input: unknown,
  ctx: FixContext,
): Promise<{ group: string; templateId: string; version: number; exposure: GroupExposure; refreshToken: string }> {
  requireOperator(ctx.actor);
  const name = GROUP_NAME.parse(group);
  const body = parseBody(schema, input);
  const g = await oneGroup(ctx, name);
  const mixed = g.MixedInstancesPolicy?.LaunchTemplate;
  const spec = g.LaunchTemplate ?? mixed?.LaunchTemplateSpecification;
  const templateId = spec?.LaunchTemplateId;
  if (!spec || !templateId) {
    throw new FleetDoctorError("UNPROCESSABLE", `${name} launches from no launch template: nothing to point`, {
      group: name,
    });
  }
  checkToken(body.token, stepToken(ctx.fleet, name, "point", templateId, body.version), "version to point at");
  const version = String(body.version);
  const candidate = g.LaunchTemplate
    ? { ...g, LaunchTemplate: { ...spec, Version: version } }
    : {
        ...g,
        MixedInstancesPolicy: {
          ...g.MixedInstancesPolicy,
          LaunchTemplate: { ...mixed, LaunchTemplateSpecification: { ...spec, Version: version } },
        },
      };
  const [a] = await assessLaunches(ctx, ctx.fleet, [candidate]);
  if (a?.exposure.exposure !== "safe") {
    throw new FleetDoctorError(
      "UNPROCESSABLE",
      `Version ${version} of ${templateId} is ${a?.exposure.exposure ?? "unknown"}: ${a?.exposure.reason ?? "not read"} Not pointing ${name} at it.`,
      { field: "version" },
    );
  }
  const request = g.LaunchTemplate
    ? { AutoScalingGroupName: name, LaunchTemplate: { LaunchTemplateId: templateId, Version: version } }
    : {
        AutoScalingGroupName: name,
        MixedInstancesPolicy: {
          LaunchTemplate: {
            LaunchTemplateSpecification: { LaunchTemplateId: templateId, Version: version },
            ...(mixed?.Overrides ? { Overrides: mixed.Overrides } : {}),
          },
        },
      };
  await audited(
    ctx,
    { group: name, step: "point", templateId, version: body.version, request },
    () => ctx.clients.autoscaling.send(new UpdateAutoScalingGroupCommand(request)),
    () => ({ version: body.version, detail: `${name} now launches ${templateId} version ${version}` }),
  );
  return {
    group: name,
    templateId,
    version: body.version,
    exposure: a.exposure,
    refreshToken: stepToken(ctx.fleet, name, "refresh", templateId, body.version),
  };
}
