import Badge from "@cloudscape-design/components/badge";
import Box from "@cloudscape-design/components/box";
import Container from "@cloudscape-design/components/container";
import CopyToClipboard from "@cloudscape-design/components/copy-to-clipboard";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { cap } from "@/components/text/cap.ts";
import type { Remedy } from "@/lib/diagnosis/types.ts";

function CopyLine({ text, what }: { text: string; what: string }) {
  return (
    <CopyToClipboard
      variant="inline"
      textToCopy={text}
      textToDisplay={<code style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>{cap(text, 1000)}</code>}
      copyButtonAriaLabel={`Copy ${what}`}
      copySuccessText={`${what[0]!.toUpperCase()}${what.slice(1)} copied`}
      copyErrorText={`Could not copy the ${what}`}
    />
  );
}

export function RemedyList({ remedies }: { remedies: Remedy[] }) {
  return (
    <Container
      header={
        <Header variant="h2" counter={`(${remedies.length})`} description="What to do about it, in order.">
          Remedies
        </Header>
      }
    >
      {remedies.length === 0 ? (
        <Box color="text-status-inactive">Nothing to do.</Box>
      ) : (
        <ol
          style={{ margin: 0, paddingInlineStart: 20, display: "flex", flexDirection: "column", gap: 16 }}
          aria-label="Remedies"
        >
          {remedies.map((r, i) => (
            <li key={i} data-testid="remedy">
              <SpaceBetween size="xxs">
                <SpaceBetween direction="horizontal" size="xs">
                  <Box variant="strong">{cap(r.title, 200)}</Box>
                  {r.automated ? <Badge color="blue">Fleet Doctor can do this</Badge> : null}
                </SpaceBetween>
                <Box>{cap(r.why, 600)}</Box>
                {r.configLine ? <CopyLine text={r.configLine} what="config line" /> : null}
                {r.command ? <CopyLine text={r.command} what="command" /> : null}
              </SpaceBetween>
            </li>
          ))}
        </ol>
      )}
    </Container>
  );
}
