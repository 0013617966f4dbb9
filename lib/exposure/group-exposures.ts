import type { AutoScalingClient, AutoScalingGroup } from "@aws-sdk/client-auto-scaling";
import type { EC2Client } from "@aws-sdk/client-ec2";
import type { SSMClient } from "@aws-sdk/client-ssm";
import type { Verdict } from "../diagnosis/types.ts";
import type { Store } from "../store/interfaces.ts";
import { agentOfImage, type EcsAmiParameter } from "./agent-version.ts";
import { classifyExposure } from "./classify.ts";
import { type FixPlan, type NoFix, planFix } from "./fix-plan.ts";
import { readUserDataCheck, type UserDataReading } from "./read-check.ts";
import {
  describeGroups,
  type GroupLaunch,
  readAmiParameters,
  readGroupLaunches,
  readImageParameters,
} from "./read-group-launch.ts";
import type { GroupExposure } from "./types.ts";

/** What the exposure verbs read with: one fleet's clients (lib/aws/clients.ts) and the store of probe results. */
export type ExposureContext = {
  clients: { ec2: EC2Client; autoscaling: AutoScalingClient; ssm: SSMClient };
  store: Pick<Store, "latestResults">;
};

/** What the probe saw on a group's members (latest results, gone instances left out). */
export type MembersSeen = {
  versions: { version: string | null; n: number }[];
  verdicts: Partial<Record<Verdict, number>>;
};

const PAGE = 1000;

/** One pass over the fleet's latest results: per group, agent versions and verdicts. */
export async function membersByGroup(
  store: ExposureContext["store"],
  fleet: string,
): Promise<Map<string, MembersSeen>> {
  const out = new Map<string, MembersSeen>();
  for (let offset = 0; ; offset += PAGE) {
    const page = await store.latestResults({ fleet, limit: PAGE, offset });
    for (const r of page.items) {
      if (!r.group) continue;
      const seen = out.get(r.group) ?? { versions: [], verdicts: {} };
      const v = r.agentVersion ?? null;
      const hit = seen.versions.find((x) => x.version === v);
      if (hit) hit.n++;
      else seen.versions.push({ version: v, n: 1 });
      seen.verdicts[r.verdict] = (seen.verdicts[r.verdict] ?? 0) + 1;
      out.set(r.group, seen);
    }
    if (page.items.length < PAGE || offset + PAGE >= page.total) break;
  }
  return out;
}

/** A group's exposure with what it was computed from (for the detail page and the fix). */
export type GroupAssessment = {
  exposure: GroupExposure;
  launch: GroupLaunch;
  reading: UserDataReading;
  members?: MembersSeen;
  parameters: EcsAmiParameter[];
};

function regionOf(fleet: string): string {
  return fleet.split("/")[1] ?? "";
}

/** Every group of the fleet (or the named ones) with its exposure and the facts behind it. */
export async function assessGroups(ctx: ExposureContext, fleet: string, names?: string[]): Promise<GroupAssessment[]> {
  return assessLaunches(ctx, fleet, await describeGroups(ctx.clients.autoscaling, names));
}

/** The exposure of groups as given (a group as described, or one with another template version put in). */
export async function assessLaunches(
  ctx: ExposureContext,
  fleet: string,
  groups: readonly AutoScalingGroup[],
): Promise<GroupAssessment[]> {
  const [parameters, members] = await Promise.all([
    readAmiParameters(ctx.clients.ssm),
    membersByGroup(ctx.store, fleet),
  ]);
  const launches = await readGroupLaunches(ctx.clients, groups, parameters);
  const imageParameters = await readImageParameters(ctx.clients.ssm, launches);
  const known = [...parameters, ...imageParameters];
  return launches
    .map((launch) => {
      const reading = launch.error ? { check: { enabled: false }, config: [] } : readUserDataCheck(launch.userData);
      const seen = members.get(launch.group);
      const agent = agentOfImage({
        ...(launch.imageId ? { imageId: launch.imageId } : {}),
        ...(launch.imageName ? { imageName: launch.imageName } : {}),
        parameters: known,
        members: seen?.versions ?? [],
      });
      const exposure = classifyExposure({
        fleet,
        group: launch.group,
        launch: launch.launch,
        ...(launch.error ? { launchError: launch.error } : {}),
        check: reading.check,
        agent,
        hasWarmPool: launch.hasWarmPool,
        ...(reading.layers ? { layers: reading.layers } : {}),
      });
      return { exposure, launch, reading, ...(seen ? { members: seen } : {}), parameters };
    })
    .sort((a, b) => a.exposure.group.localeCompare(b.exposure.group));
}

/** Every group of a fleet: exposed, safe or unknown, with the evidence. */
export async function groupExposures(ctx: ExposureContext, fleet: string): Promise<GroupExposure[]> {
  return (await assessGroups(ctx, fleet)).map((a) => a.exposure);
}

/** The runbook for one assessed group (none unless it is exposed). */
export function fixOf(a: GroupAssessment, fleet: string, prefer?: "check-off" | "image"): FixPlan | NoFix {
  return planFix({
    exposure: a.exposure,
    reading: a.reading,
    region: regionOf(fleet),
    ...(a.launch.template ? { template: a.launch.template } : {}),
    parameters: a.parameters,
    ...(a.launch.mixedOverrides ? { mixedOverrides: a.launch.mixedOverrides } : {}),
    ...(prefer ? { prefer } : {}),
  });
}
