"use client";

import BarChart from "@cloudscape-design/components/bar-chart";
import Box from "@cloudscape-design/components/box";
import { VERDICT_STYLE } from "@/components/verdict/verdicts.ts";
import type { TimelineBucket } from "@/lib/store/interfaces.ts";
import { hourLabel } from "./hour-label.ts";

/** Found failing and healed per hour, side by side: one pair of bars per hour. */
export default function FailuresTimelineChart({ buckets }: { buckets: TimelineBucket[] }) {
  const max = Math.max(1, ...buckets.flatMap((b) => [b.found, b.healed]));
  return (
    <BarChart
      hideFilter
      height={200}
      xScaleType="categorical"
      xDomain={buckets.map((b) => b.start)}
      yDomain={[0, Math.max(4, Math.ceil(max * 1.1))]}
      xTitle="Hour (UTC)"
      yTitle="Instances"
      ariaLabel="Instances found failing and healed per hour, last 24 hours"
      i18nStrings={{ xTickFormatter: (x) => hourLabel(String(x)) }}
      series={[
        {
          title: "Found failing",
          type: "bar",
          color: VERDICT_STYLE["agent-failed"].chart,
          data: buckets.map((b) => ({ x: b.start, y: b.found })),
        },
        {
          title: "Healed",
          type: "bar",
          color: VERDICT_STYLE.healthy.chart,
          data: buckets.map((b) => ({ x: b.start, y: b.healed })),
        },
      ]}
      empty={
        <Box textAlign="center" color="inherit">
          <b>No results in the last 24 hours</b>
        </Box>
      }
    />
  );
}
