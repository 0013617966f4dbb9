import { FleetDoctorError } from "../errors.ts";
import type { GroupFixAuditRow, Store } from "../store/interfaces.ts";
import type { FixPlan, NoFix } from "./fix-plan.ts";
import { assessGroups, type ExposureContext, fixOf, type MembersSeen } from "./group-exposures.ts";
import type { GroupLaunch } from "./read-group-launch.ts";
import type { GroupExposure } from "./types.ts";

export type GroupDetail = {
  fleet: string;
  exposure: GroupExposure;
  warmPool?: GroupLaunch["warmPool"];
  /** The group's members by verdict, from their latest probe results. */
  instances: MembersSeen["verdicts"];
  agentVersions: MembersSeen["versions"];
  /** The runbook (with the diff and the confirmation tokens), or why there is none. */
  fix: FixPlan | NoFix;
  /** The writes made for this group, newest first. */
  audit: GroupFixAuditRow[];
};

/** One group: its exposure, warm pool, members by verdict, the fix and what was done. 404 for an unknown group. */
export async function groupDetail(
  ctx: ExposureContext & { store: Pick<Store, "latestResults" | "groupFixes"> },
  fleet: string,
  name: string,
): Promise<GroupDetail> {
  const [a] = (await assessGroups(ctx, fleet, [name])).filter((x) => x.exposure.group === name);
  if (!a) throw new FleetDoctorError("NOT_FOUND", `No Auto Scaling group ${name} in ${fleet}`, { group: name });
  return {
    fleet,
    exposure: a.exposure,
    ...(a.launch.warmPool ? { warmPool: a.launch.warmPool } : {}),
    instances: a.members?.verdicts ?? {},
    agentVersions: a.members?.versions ?? [],
    fix: fixOf(a, fleet),
    audit: await ctx.store.groupFixes.list({ fleet, group: name, limit: 50 }),
  };
}
