"use client";

import Box from "@cloudscape-design/components/box";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { AppLink } from "@/components/shell/app-link.tsx";
import { cap } from "@/components/text/cap.ts";
import type { GroupExposure } from "@/lib/exposure/types.ts";
import { ExposureStatus } from "./exposure-status.tsx";
import { withFleet } from "./exposure-text.ts";

/** On an instance's page: its group's exposure in one line, with the way to the group's fix. */
export function GroupExposureLine({ exposure, fleet }: { exposure: GroupExposure; fleet: string | undefined }) {
  return (
    <Box data-testid="instance-group-exposure">
      <SpaceBetween size="xs" direction="horizontal" alignItems="center">
        <Box variant="strong">{`Group ${cap(exposure.group, 255)}:`}</Box>
        <ExposureStatus exposure={exposure.exposure} />
        <span>{cap(exposure.reason, 300)}</span>
        <AppLink href={withFleet(`/groups/${encodeURIComponent(exposure.group)}`, fleet)}>
          {exposure.exposure === "exposed" ? "See the group's fix" : "See the group"}
        </AppLink>
      </SpaceBetween>
    </Box>
  );
}
