import { StartInstanceRefreshCommand } from "@aws-sdk/client-auto-scaling";
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

const schema = z.strictObject({ ...confirmation, minHealthyPercentage: z.number().int().min(0).max(100).optional() });

/**
 * Replaces a group's instances (StartInstanceRefresh), only once what it launches is safe: refreshing an exposed
 * group would replace working instances with ones that fail.
 */
export async function startInstanceRefresh(
  group: string,
  input: unknown,
  ctx: FixContext,
): Promise<{ group: string; instanceRefreshId: string }> {
  requireOperator(ctx.actor);
  const name = GROUP_NAME.parse(group);
  const body = parseBody(schema, input);
  const g = await oneGroup(ctx, name);
  const [a] = await assessLaunches(ctx, ctx.fleet, [g]);
  if (a?.exposure.exposure !== "safe") {
    throw new FleetDoctorError(
      "CONFLICT",
      `${name} is ${a?.exposure.exposure ?? "unknown"}: point it at a fixed version before refreshing its instances.`,
      { group: name },
    );
  }
  const t = a.launch.template;
  if (body.token !== undefined) {
    checkToken(
      body.token,
      t ? stepToken(ctx.fleet, name, "refresh", t.templateId, t.version) : "",
      "group's launch version",
    );
  }
  const request = {
    AutoScalingGroupName: name,
    Preferences: { MinHealthyPercentage: body.minHealthyPercentage ?? 90 },
  };
  const res = await audited(
    ctx,
    { group: name, step: "refresh", ...(t ? { templateId: t.templateId, version: t.version } : {}), request },
    () => ctx.clients.autoscaling.send(new StartInstanceRefreshCommand(request)),
    (r) => ({ detail: `instance refresh ${r.InstanceRefreshId ?? "?"} started` }),
  );
  if (!res.InstanceRefreshId) throw new FleetDoctorError("AWS_ERROR", "StartInstanceRefresh answered no refresh id");
  return { group: name, instanceRefreshId: res.InstanceRefreshId };
}
