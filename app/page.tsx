import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { RestartFixable } from "@/components/actions/restart-fixable.tsx";
import { FailuresTimeline } from "@/components/overview/failures-timeline.tsx";
import { FleetsTable } from "@/components/overview/fleets-table.tsx";
import { LastScan } from "@/components/overview/last-scan.tsx";
import { VerdictCharts } from "@/components/overview/verdict-charts.tsx";
import { VerdictCounts } from "@/components/overview/verdict-counts.tsx";
import { ScanLauncher } from "@/components/scans/scan-launcher.tsx";
import { loadOverview, type Overview } from "./_data/fleet.ts";

export const dynamic = "force-dynamic";

function FleetSummary({ o }: { o: Overview }) {
  return (
    <SpaceBetween size="l">
      {/* One fleet (the default): no table, as before fleets were many. */}
      {o.fleets.length > 1 ? <FleetsTable fleets={o.fleets} picked={o.view.picked} /> : null}
      {o.total === 0 ? (
        <Alert type="info" header="No instances scanned yet">
          Press Scan fleet to probe every instance Systems Manager knows and see which ones need attention.
        </Alert>
      ) : (
        <VerdictCounts
          counts={o.counts}
          total={o.total}
          gone={o.gone}
          fleet={o.view.picked}
          fixAction={
            o.view.ids.length === 1 ? <RestartFixable instanceIds={o.fixableIds} fleet={o.view.ids[0]} /> : undefined
          }
        />
      )}
      <ScanLauncher runningScanId={o.running?.id} groups={o.groups} fleet={o.view.picked} />
      <LastScan scan={o.lastScan} />
      <FailuresTimeline buckets={o.timeline} />
      {o.total > 0 ? <VerdictCharts byGroup={o.byGroup} byVersion={o.byVersion} /> : null}
    </SpaceBetween>
  );
}

/**
 * Rendered whole, not streamed behind a skeleton: the summary costs a few aggregate queries, and counts that are in
 * the first paint need no script to be revealed.
 */
export default async function HomePage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const o = await loadOverview((await searchParams).fleet);
  return (
    <ContentLayout
      header={
        <Header
          variant="h1"
          description="Find the EC2 container instances whose ECS agent failed to start, see why, and fix the ones that can be fixed."
        >
          Fleet
        </Header>
      }
    >
      <SpaceBetween size="l">
        <FleetSummary o={o} />
        <Container header={<Header variant="h2">What Fleet Doctor does</Header>}>
          <ColumnLayout columns={3} variant="text-grid">
            <div>
              <Box variant="awsui-key-label">Finds</Box>
              <Box>
                Instances the ECS console cannot show: it lists them from Systems Manager and Auto Scaling, not from
                ECS.
              </Box>
            </div>
            <div>
              <Box variant="awsui-key-label">Explains</Box>
              <Box>
                A read-only probe reads instance metadata, the agent&apos;s service state, config and logs, and every
                verdict shows the evidence it rests on.
              </Box>
            </div>
            <div>
              <Box variant="awsui-key-label">Fixes</Box>
              <Box>
                A verified restart of the agent where it will succeed, such as the warm-pool check that died on a
                lifecycle-state 404 before the instance joined its group.
              </Box>
            </div>
          </ColumnLayout>
        </Container>
      </SpaceBetween>
    </ContentLayout>
  );
}
