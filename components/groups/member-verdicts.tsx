"use client";

import Box from "@cloudscape-design/components/box";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { AppLink } from "@/components/shell/app-link.tsx";
import { VERDICT_ORDER, VERDICT_STYLE } from "@/components/verdict/verdicts.ts";
import type { Verdict } from "@/lib/diagnosis/types.ts";
import { withFleet } from "./exposure-text.ts";

/** A group's members by verdict, each count a link to the instances table filtered by the group and that verdict. */
export function MemberVerdicts({
  group,
  counts,
  fleet,
  direction = "horizontal",
}: {
  group: string;
  counts: Partial<Record<string, number>>;
  fleet: string | undefined;
  direction?: "horizontal" | "vertical";
}) {
  const present = VERDICT_ORDER.filter((v) => (counts[v] ?? 0) > 0);
  if (present.length === 0) return <Box color="text-body-secondary">No members probed yet</Box>;
  return (
    <SpaceBetween size="xs" direction={direction}>
      {present.map((v: Verdict) => (
        <AppLink
          key={v}
          href={withFleet("/instances", fleet, { group, verdict: v })}
          ariaLabel={`${counts[v]} ${VERDICT_STYLE[v].label} in ${group}`}
        >
          {`${counts[v]} ${VERDICT_STYLE[v].label}`}
        </AppLink>
      ))}
    </SpaceBetween>
  );
}
