import "server-only";
import { config } from "@/lib/config.ts";
import { FLEET_PARAM, groupsApiContext } from "@/lib/exposure/api-context.ts";
import { type GroupDetail, groupDetail } from "@/lib/exposure/group-detail.ts";
import { assessGroups, groupExposures, membersByGroup } from "@/lib/exposure/group-exposures.ts";
import type { GroupExposure } from "@/lib/exposure/types.ts";
import { describeFleetError } from "@/lib/fleets/fleet-error.ts";
import { listFleets } from "@/lib/fleets/list-fleets.ts";
import { getStore } from "@/lib/store/index.ts";
import { currentViewer } from "./viewer.ts";

/** One row of the Groups page: the group's exposure and its members by verdict (from their latest probe results). */
export type GroupRow = GroupExposure & { instances: Record<string, number> };

/** `?fleet=` as the pages read it: a well-formed fleet id, or the fleet in view (a bad one is ignored, not thrown). */
export function fleetParam(raw: string | string[] | undefined): string | undefined {
  const one = Array.isArray(raw) ? raw[0] : raw;
  const r = FLEET_PARAM.safeParse(one);
  return r.success ? r.data : undefined;
}

/** A fleet whose groups could not be read (its role, its throttling): shown for that fleet only. */
export type GroupsFleetError = { fleet: string; message: string };

/**
 * The Groups page's data: every group of the fleet (`?fleet=`) with its exposure and members; with no fleet picked
 * and several configured (a fleets file), every configured fleet's groups (a group name is only unique inside one
 * fleet: each row carries its fleet), fleets read in parallel and each failing on its own.
 */
export async function loadGroups(
  fleet?: string,
): Promise<{ fleet?: string; groups: GroupRow[]; errors: GroupsFleetError[] }> {
  const actor = await currentViewer();
  const one = async (id: string | undefined) => {
    const ctx = await groupsApiContext(id, actor);
    const [groups, members] = await Promise.all([groupExposures(ctx, ctx.fleet), membersByGroup(ctx.store, ctx.fleet)]);
    return { fleet: ctx.fleet, groups: groups.map((g) => ({ ...g, instances: members.get(g.group)?.verdicts ?? {} })) };
  };
  const { targets } = fleet === undefined ? await listFleets(config()) : { targets: [] };
  if (fleet !== undefined || targets.length <= 1) return { ...(await one(fleet)), errors: [] };
  const read = await Promise.all(
    targets.map(async (t) => {
      try {
        return { groups: (await one(t.id)).groups };
      } catch (e) {
        return { error: { fleet: t.id, message: describeFleetError(e, t).message } };
      }
    }),
  );
  return {
    groups: read.flatMap((r) => r.groups ?? []),
    errors: read.flatMap((r) => (r.error ? [r.error] : [])),
  };
}

/** One group's page: what GET /api/groups/:name answers. A missing group throws NOT_FOUND (the page's 404). */
export async function loadGroup(name: string, fleet?: string): Promise<GroupDetail> {
  const actor = await currentViewer();
  const ctx = await groupsApiContext(fleet, actor);
  return groupDetail(ctx, ctx.fleet, name);
}

/**
 * The exposure of an instance's group (in the instance's fleet), for one line on the instance page; undefined when
 * the instance is in no group, or when the group cannot be read now: the instance page does not fail for it (the
 * failure is logged).
 */
export async function loadGroupExposure(
  instanceId: string,
  group: string | undefined,
  instanceFleet?: string,
): Promise<{ exposure: GroupExposure; fleet: string } | undefined> {
  if (!group) return undefined;
  try {
    const actor = await currentViewer();
    // The fleet the page shows the instance in, when it knows; else the fleet of the instance's newest result.
    const fleet = fleetParam(instanceFleet ?? (await getStore().instanceFleet(instanceId)));
    const ctx = await groupsApiContext(fleet, actor);
    const [a] = await assessGroups(ctx, ctx.fleet, [group]);
    return a?.exposure.group === group ? { exposure: a.exposure, fleet: ctx.fleet } : undefined;
  } catch (e) {
    console.warn(`group exposure of ${instanceId} (${group}) not read: ${(e as Error).message}`);
    return undefined;
  }
}
