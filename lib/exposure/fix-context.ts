import { randomUUID } from "node:crypto";
import type { AutoScalingGroup } from "@aws-sdk/client-auto-scaling";
import { z } from "zod";
import { type Actor, hasRole } from "../auth/roles.ts";
import { awsError } from "../aws/errors.ts";
import { FleetDoctorError } from "../errors.ts";
import type { GroupFixAuditRow, Store } from "../store/interfaces.ts";
import type { ExposureContext } from "./group-exposures.ts";
import { describeGroups } from "./read-group-launch.ts";

/** What the write verbs need: the fleet's clients, the store (probe results and the audit), who asks, which fleet. */
export type FixContext = ExposureContext & {
  store: Pick<Store, "latestResults" | "groupFixes">;
  actor: Actor;
  fleet: string;
};

/** An Auto Scaling group name as AWS allows it (1..255, no control characters). */
export const GROUP_NAME = z
  .string()
  .min(1)
  .max(255)
  .refine((s) => !/\p{Cc}/u.test(s), "no control characters");

/** Every write needs its own confirmation: `confirm: true`, or the token the preview gave for exactly this step. */
export const confirmation = {
  confirm: z.literal(true).optional(),
  token: z
    .string()
    .regex(/^[0-9a-f]{32}$/, "a 32-character token from the preview")
    .optional(),
};

export function parseBody<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const r = schema.safeParse(input ?? {});
  if (!r.success) throw r.error;
  const body = r.data as { confirm?: true; token?: string };
  if (body.confirm !== true && body.token === undefined) {
    throw new FleetDoctorError(
      "BAD_REQUEST",
      "confirm: send {confirm: true} or the preview's token to confirm this write",
      {
        field: "confirm",
      },
    );
  }
  return r.data;
}

/** A token, when one was sent, must be the one of this exact step now; else the plan changed since the preview. */
export function checkToken(sent: string | undefined, expected: string, what: string): void {
  if (sent !== undefined && sent !== expected) {
    throw new FleetDoctorError("CONFLICT", `The ${what} changed since the preview: look at it again and confirm.`, {
      field: "token",
    });
  }
}

export function requireOperator(actor: Actor): void {
  if (!hasRole(actor, "operator")) {
    throw new FleetDoctorError("FORBIDDEN", "Only an operator may change launch templates and groups.");
  }
}

export async function oneGroup(ctx: FixContext, name: string): Promise<AutoScalingGroup> {
  const [g] = (await describeGroups(ctx.clients.autoscaling, [name])).filter((x) => x.AutoScalingGroupName === name);
  if (!g) throw new FleetDoctorError("NOT_FOUND", `No Auto Scaling group ${name} in ${ctx.fleet}`, { group: name });
  return g;
}

/**
 * Runs one write between its two audit rows: `requested` (who, what, the exact request) before anything is sent, and
 * `succeeded` or `failed` with AWS's answer after. Nothing is sent if the first row cannot be written.
 */
export async function audited<T>(
  ctx: FixContext,
  what: Pick<GroupFixAuditRow, "group" | "step" | "templateId" | "version"> & { request: unknown },
  send: () => Promise<T>,
  answer: (t: T) => { detail: string; version?: number },
): Promise<T> {
  const attemptId = randomUUID();
  const base = {
    attemptId,
    fleet: ctx.fleet,
    group: what.group,
    step: what.step,
    actor: ctx.actor.id,
    actorRole: ctx.actor.role,
    ...(what.templateId ? { templateId: what.templateId } : {}),
  };
  await ctx.store.groupFixes.record({
    ...base,
    phase: "requested",
    at: new Date().toISOString(),
    ...(what.version !== undefined ? { version: what.version } : {}),
    detail: JSON.stringify(what.request),
  });
  let out: T;
  try {
    out = await send();
  } catch (e) {
    const err = awsError(
      what.step === "template"
        ? "CreateLaunchTemplateVersion"
        : what.step === "point"
          ? "UpdateAutoScalingGroup"
          : "StartInstanceRefresh",
      e,
    );
    await ctx.store.groupFixes.record({ ...base, phase: "failed", at: new Date().toISOString(), detail: err.message });
    throw err;
  }
  const a = answer(out);
  await ctx.store.groupFixes.record({
    ...base,
    phase: "succeeded",
    at: new Date().toISOString(),
    ...(a.version !== undefined ? { version: a.version } : {}),
    detail: a.detail,
  });
  return out;
}
