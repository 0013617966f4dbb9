import Box from "@cloudscape-design/components/box";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import type { ReactNode } from "react";
import { AppLink as Link } from "@/components/shell/app-link.tsx";
import { count } from "@/components/text/plural.ts";
import { VerdictStatus } from "@/components/verdict/verdict-status.tsx";
import { VERDICT_ORDER, VERDICT_STYLE } from "@/components/verdict/verdicts.ts";
import type { Verdict } from "@/lib/diagnosis/types.ts";
import { withFleet } from "@/lib/fleets/fleet-ids.ts";

const FIXABLE: Verdict = "lifecycle-404:ready";

/**
 * The first thing on the page: how many instances are in each state. The count a person can fix right now (restart
 * will work) is set apart and largest; every count links to the table filtered by it.
 */
export function VerdictCounts({
  counts,
  total,
  fixAction,
  gone = 0,
  fleet,
}: {
  counts: Record<Verdict, number>;
  total: number;
  /** Instances a full scan of the fleet no longer sees: counted nowhere above, listed on request. */
  gone?: number;
  /** The one action that restarts every fixable instance (components/actions/restart-fixable.tsx). */
  fixAction?: ReactNode;
  /** The fleet picked in the header (undefined: every fleet), kept by the links to the table. */
  fleet?: string;
}) {
  const hrefFor = (v: Verdict) => withFleet(`/instances?verdict=${encodeURIComponent(v)}`, fleet);
  const fixable = counts[FIXABLE] ?? 0;
  const needAttention = total - (counts.healthy ?? 0);
  const others = VERDICT_ORDER.filter((v) => v !== FIXABLE);
  return (
    <SpaceBetween size="l">
      <Container
        header={
          <Header
            variant="h2"
            description={`${needAttention} of ${count(total, "instance")} ${needAttention === 1 ? "needs" : "need"} attention. ${VERDICT_STYLE[FIXABLE].description}`}
          >
            Fixable now
          </Header>
        }
      >
        <div data-testid="fixable-count">
          <Link
            href={hrefFor(FIXABLE)}
            ariaLabel={`${count(fixable, "instance")}: ${VERDICT_STYLE[FIXABLE].label}. Show them.`}
          >
            <Box variant="awsui-value-large" tagOverride="span" color="text-status-info">
              {fixable}
            </Box>
          </Link>
          <Box>
            <VerdictStatus verdict={FIXABLE} withCode /> — a restart of the ECS agent will bring these back.
          </Box>
          {fixAction ? <Box margin={{ top: "s" }}>{fixAction}</Box> : null}
        </div>
      </Container>
      <Container
        header={
          <Header
            variant="h2"
            counter={`(${total})`}
            description={
              gone > 0 ? (
                <span data-testid="gone-count">
                  {`Not counted: ${count(gone, "instance")} gone from this fleet (the last full scan did not see ${gone === 1 ? "it" : "them"}). `}
                  <Link href={withFleet("/instances?include=gone", fleet)}>Show gone instances</Link>
                </span>
              ) : undefined
            }
          >
            Instances by verdict
          </Header>
        }
      >
        <ColumnLayout columns={5} variant="text-grid" minColumnWidth={190}>
          {others.map((v) => (
            <div key={v} data-testid={`count-${v}`}>
              <VerdictStatus verdict={v} />
              <Box>
                {(counts[v] ?? 0) > 0 ? (
                  <Link
                    href={hrefFor(v)}
                    fontSize="display-l"
                    ariaLabel={`${count(counts[v] ?? 0, "instance")}: ${VERDICT_STYLE[v].label}. Show them.`}
                  >
                    {counts[v]}
                  </Link>
                ) : (
                  // Nothing to show: a grey zero keeps the eye on the counts that matter.
                  <Box fontSize="display-l" color="text-status-inactive" tagOverride="span">
                    0
                  </Box>
                )}
              </Box>
            </div>
          ))}
        </ColumnLayout>
      </Container>
    </SpaceBetween>
  );
}
