import Box from "@cloudscape-design/components/box";
import Container from "@cloudscape-design/components/container";
import ExpandableSection from "@cloudscape-design/components/expandable-section";
import Header from "@cloudscape-design/components/header";
import KeyValuePairs from "@cloudscape-design/components/key-value-pairs";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { AppLink as Link } from "@/components/shell/app-link.tsx";
import { cap } from "@/components/text/cap.ts";
import { When } from "@/components/text/when.tsx";
import { VerdictStatus } from "@/components/verdict/verdict-status.tsx";
import { VERDICT_STYLE } from "@/components/verdict/verdicts.ts";
import { EcsSection } from "./ecs-section.tsx";
import { EvidenceList } from "./evidence-list.tsx";
import { InstanceHistory } from "./instance-history.tsx";
import { InstanceIdentity } from "./instance-identity.tsx";
import { ProbeFacts } from "./probe-facts.tsx";
import { RemedyList } from "./remedy-list.tsx";
import type { InstanceView } from "./types.ts";

/** The verdict and its one-sentence summary, with the facts a person looks at first. */
export function DiagnosisSummary({ view }: { view: InstanceView }) {
  const d = view.diagnosis;
  return (
    <Container header={<Header variant="h2">Diagnosis</Header>}>
      <SpaceBetween size="m">
        <SpaceBetween size="xxs">
          <VerdictStatus verdict={view.verdict} withCode />
          <Box variant="p" data-testid="diagnosis-summary">
            {cap(d.summary, 600)}
          </Box>
          <Box variant="small" color="text-body-secondary">
            {VERDICT_STYLE[view.verdict].description}
          </Box>
        </SpaceBetween>
        <KeyValuePairs
          columns={4}
          items={[
            { label: "Restart will work", value: d.restartWillWork ? "Yes" : "No" },
            { label: "Cause", value: cap(d.cause ?? "-", 60) },
            { label: "Agent version", value: cap(view.agentVersion ?? "-", 60) },
            { label: "Probed", value: <When iso={view.probedAt} /> },
            { label: "Auto Scaling group", value: cap(view.target.group ?? "(in no group)", 255) },
            { label: "Lifecycle state", value: cap(view.target.lifecycleState ?? "-", 60) },
            {
              label: "SSM command",
              value: cap(
                [view.outcome.status, view.outcome.statusDetails, view.outcome.responseCode]
                  .filter((x) => x !== undefined && x !== "")
                  .join(", ") || "-",
                120,
              ),
            },
            {
              label: "Scan",
              value: <Link href={`/scans/${encodeURIComponent(view.scanId)}`}>{view.scanId.slice(0, 8)}</Link>,
            },
          ]}
        />
      </SpaceBetween>
    </Container>
  );
}

export function RawOutput({ raw, truncated }: { raw: string; truncated: boolean }) {
  return (
    <ExpandableSection
      variant="container"
      headerText="Raw probe output"
      headerDescription={
        truncated ? "SSM cut the output; this is what it kept." : "Exactly what the probe printed, as SSM returned it."
      }
    >
      {raw ? (
        <pre
          data-testid="raw-output"
          style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere", margin: 0, maxHeight: 480, overflow: "auto" }}
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard.
          tabIndex={0}
        >
          {raw}
        </pre>
      ) : (
        <Box color="text-status-inactive">No output was returned.</Box>
      )}
    </ExpandableSection>
  );
}

/**
 * Everything known about one instance, below its header. Used by the detail page (under its h1, whose `actions`
 * is where stream ACTIONS puts "Restart agent") and by the split panel of the instances table.
 */
export function InstanceDetail({ view }: { view: InstanceView }) {
  return (
    <SpaceBetween size="l">
      <DiagnosisSummary view={view} />
      <InstanceIdentity view={view} />
      <EcsSection ecs={view.ecs} scanId={view.scanId} />
      <EvidenceList evidence={view.diagnosis.evidence} />
      <RemedyList remedies={view.diagnosis.remedies} />
      <ProbeFacts report={view.report} target={view.target} />
      <RawOutput raw={view.rawOutput} truncated={view.outcome.truncated} />
      <InstanceHistory history={view.history} actions={view.actions} />
    </SpaceBetween>
  );
}
