import type { Policy } from "@/lib/autopilot/types.ts";
import type { AutopilotBreaker } from "@/lib/store/interfaces.ts";

/** One row of the policies table: the fleet's default (group null) or a group, with what applies and its breaker. */
export type PolicyRow = {
  group: string | null;
  /** The group's own policy; undefined: the default applies (or nothing, which is off). */
  own?: Policy;
  /** What applies to the group now. */
  effective?: Policy;
  breaker?: AutopilotBreaker;
};

/**
 * The default first, then every group the latest results know or a policy names, by name. The default row carries
 * the breaker of the instances in no group (they take the default policy).
 */
export function policyRows(status: {
  policies: Policy[];
  groups: string[];
  breakers: AutopilotBreaker[];
}): PolicyRow[] {
  const byGroup = new Map(status.policies.map((p) => [p.group, p]));
  const breakerOf = new Map(status.breakers.map((b) => [b.group, b]));
  const def = byGroup.get(null);
  const groups = [
    ...new Set([...status.groups, ...status.policies.flatMap((p) => (p.group === null ? [] : [p.group]))]),
  ].sort();
  return [
    { group: null, ...(def ? { own: def, effective: def } : {}), ...withBreaker(breakerOf.get("")) },
    ...groups.map((g): PolicyRow => {
      const own = byGroup.get(g);
      const effective = own ?? def;
      return {
        group: g,
        ...(own ? { own } : {}),
        ...(effective ? { effective } : {}),
        ...withBreaker(breakerOf.get(g)),
      };
    }),
  ];
}

const withBreaker = (b: AutopilotBreaker | undefined) => (b ? { breaker: b } : {});

export const groupText = (group: string | null) => (group === null ? "Default (every other group)" : group);
