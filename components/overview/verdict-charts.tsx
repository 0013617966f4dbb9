"use client";

import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import Header from "@cloudscape-design/components/header";
import dynamic from "next/dynamic";
import { LinesSkeleton } from "@/components/states/skeletons.tsx";
import type { Breakdown } from "./verdict-bar-chart.tsx";

// Charts measure the page as they draw: render them only in the browser so hydration has nothing to disagree on.
const VerdictBarChart = dynamic(() => import("./verdict-bar-chart.tsx"), {
  ssr: false,
  loading: () => <LinesSkeleton lines={5} label="Loading chart" />,
});

export function VerdictCharts({ byGroup, byVersion }: { byGroup: Breakdown; byVersion: Breakdown }) {
  return (
    <ColumnLayout columns={2}>
      <Container header={<Header variant="h2">Verdicts by Auto Scaling group</Header>}>
        <VerdictBarChart data={byGroup} by="Auto Scaling group" />
      </Container>
      <Container header={<Header variant="h2">Verdicts by agent version</Header>}>
        <VerdictBarChart data={byVersion} by="Agent version" />
      </Container>
    </ColumnLayout>
  );
}
