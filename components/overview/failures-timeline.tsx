"use client";

import Box from "@cloudscape-design/components/box";
import Container from "@cloudscape-design/components/container";
import ExpandableSection from "@cloudscape-design/components/expandable-section";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import dynamic from "next/dynamic";
import { LinesSkeleton } from "@/components/states/skeletons.tsx";
import type { TimelineBucket } from "@/lib/store/interfaces.ts";
import { hourLabel } from "./hour-label.ts";

// The chart measures the page as it draws: browser only (as the verdict charts). The summary and the table are
// rendered on the server, so the numbers are there without a script and for a screen reader.
const FailuresTimelineChart = dynamic(() => import("./failures-timeline-chart.tsx"), {
  ssr: false,
  loading: () => <LinesSkeleton lines={4} label="Loading chart" />,
});

/** The overview's timeline: instances found failing and healed, per hour over the last 24 hours. */
export function FailuresTimeline({ buckets }: { buckets: TimelineBucket[] }) {
  const found = buckets.reduce((n, b) => n + b.found, 0);
  const healed = buckets.reduce((n, b) => n + b.healed, 0);
  const busy = buckets.filter((b) => b.found > 0 || b.healed > 0);
  return (
    <Container
      data-testid="failures-timeline"
      header={
        <Header
          variant="h2"
          description="An instance is found failing when a result needs attention after a healthy one (or none); it is healed when a healthy result follows a failing one."
        >
          Failures found and healed, last 24 hours
        </Header>
      }
    >
      <SpaceBetween size="s">
        <Box data-testid="timeline-summary">
          {found} found failing, {healed} healed in the last 24 hours.
        </Box>
        {found + healed > 0 ? <FailuresTimelineChart buckets={buckets} /> : null}
        <ExpandableSection headerText="As a table">
          <Table
            variant="embedded"
            ariaLabels={{ tableLabel: "Failures found and healed per hour" }}
            items={busy}
            trackBy="start"
            empty={<Box textAlign="center">No instance was found failing or healed in these hours.</Box>}
            columnDefinitions={[
              { id: "hour", header: "Hour (UTC)", cell: (b) => `${b.start.slice(0, 10)} ${hourLabel(b.start)}` },
              { id: "found", header: "Found failing", cell: (b) => b.found },
              { id: "healed", header: "Healed", cell: (b) => b.healed },
            ]}
          />
        </ExpandableSection>
      </SpaceBetween>
    </Container>
  );
}
