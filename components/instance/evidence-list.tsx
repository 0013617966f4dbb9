import Box from "@cloudscape-design/components/box";
import Container from "@cloudscape-design/components/container";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { cap } from "@/components/text/cap.ts";
import type { Evidence, EvidenceSource } from "@/lib/diagnosis/types.ts";
import { HighlightedText } from "./highlighted-text.tsx";

/** Where a fact came from, in words a person can go and check. */
export function describeSource(s: EvidenceSource): string {
  switch (s.kind) {
    case "log":
      return `${s.file}${s.line ? `, line ${s.line}` : ""}${s.time ? `, logged ${s.time}` : ""}`;
    case "imds":
      return `instance metadata ${s.path}: ${s.httpCode === null ? "no answer" : `HTTP ${s.httpCode}`}`;
    case "config":
      return `${s.file}: ${s.key}`;
    case "service":
      return `systemd unit ${s.unit}: ${s.property}`;
    case "introspection":
      return `agent introspection ${s.url}${s.field ? ` (${s.field})` : ""}`;
    case "package":
      return `package ${s.name}`;
    case "api":
      return `${s.api}: ${s.field}`;
    case "probe":
      return `probe report: ${s.field}`;
  }
}

export function EvidenceList({ evidence }: { evidence: Evidence[] }) {
  return (
    <Container
      header={
        <Header variant="h2" counter={`(${evidence.length})`} description="The facts the verdict rests on.">
          Evidence
        </Header>
      }
    >
      {evidence.length === 0 ? (
        <Box color="text-status-inactive">No evidence was recorded for this verdict.</Box>
      ) : (
        <ul
          style={{ listStyle: "none", margin: 0, padding: 0, display: "flex", flexDirection: "column", gap: 16 }}
          aria-label="Evidence"
        >
          {evidence.map((e, i) => (
            <li key={i} data-testid="evidence">
              <SpaceBetween size="xxxs">
                <Box variant="strong">{cap(e.label, 300)}</Box>
                <HighlightedText value={e.value} match={e.match} />
                <Box variant="small" color="text-body-secondary">
                  {cap(describeSource(e.source), 400)}
                </Box>
              </SpaceBetween>
            </li>
          ))}
        </ul>
      )}
    </Container>
  );
}
