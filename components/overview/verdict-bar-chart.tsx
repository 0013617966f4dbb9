"use client";

import BarChart from "@cloudscape-design/components/bar-chart";
import Box from "@cloudscape-design/components/box";
import { VERDICT_ORDER, VERDICT_STYLE } from "@/components/verdict/verdicts.ts";
import type { Verdict } from "@/lib/diagnosis/types.ts";

export type Breakdown = { key: string; counts: Partial<Record<Verdict, number>>; total: number }[];

/** Verdicts stacked per group (or per agent version): one bar per key, one colour per verdict. */
export default function VerdictBarChart({ data, by }: { data: Breakdown; by: string }) {
  const keys = data.map((d) => d.key);
  const present = VERDICT_ORDER.filter((v) => data.some((d) => (d.counts[v] ?? 0) > 0));
  // The axis must fit the stacked total, not the largest single verdict, or the longest bars run off the chart.
  const max = Math.max(1, ...data.map((d) => d.total));
  const step = 10 ** Math.max(0, Math.floor(Math.log10(max)) - 1) * (max > 50 ? 5 : 2);
  const top = Math.ceil(max / step) * step;
  return (
    <BarChart
      stackedBars
      horizontalBars
      hideFilter
      height={Math.max(120, keys.length * 34)}
      xScaleType="categorical"
      xDomain={keys}
      yDomain={[0, top]}
      xTitle={by}
      yTitle="Instances"
      ariaLabel={`Verdicts by ${by.toLowerCase()}`}
      series={present.map((v) => ({
        title: VERDICT_STYLE[v].label,
        type: "bar" as const,
        color: VERDICT_STYLE[v].chart,
        data: data.map((d) => ({ x: d.key, y: d.counts[v] ?? 0 })),
      }))}
      empty={
        <Box textAlign="center" color="inherit">
          <b>No data</b>
          <Box variant="p" color="inherit">
            Run a scan to see verdicts here.
          </Box>
        </Box>
      }
    />
  );
}
