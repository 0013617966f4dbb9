"use client";

import Box from "@cloudscape-design/components/box";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import Header from "@cloudscape-design/components/header";
import KeyValuePairs from "@cloudscape-design/components/key-value-pairs";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { cap } from "@/components/text/cap.ts";
import type { GroupDetail } from "@/lib/exposure/group-detail.ts";
import type { CheckSetting } from "@/lib/exposure/types.ts";
import { ExposureStatus } from "./exposure-status.tsx";
import { agentText, imageText, launchText } from "./exposure-text.ts";
import { GroupAudit } from "./group-audit.tsx";
import { GroupFix } from "./group-fix.tsx";
import { MemberVerdicts } from "./member-verdicts.tsx";

/** The deciding ecs.config line as read (user data is untrusted: text, capped). */
function checkText(c: CheckSetting): string {
  if (c.unreadable) return `Unreadable: ${c.unreadable}`;
  if (!c.line) return "Not set in the user data (the agent's default: off)";
  const where = [c.part, c.lineNumber !== undefined ? `line ${c.lineNumber}` : undefined].filter(Boolean).join(", ");
  const verdict = c.enabled ? "on" : c.invalid ? "not a boolean: off" : "off";
  return `${c.line} (${verdict}${where ? `; ${where}` : ""})`;
}

const mono = { whiteSpace: "pre-wrap", overflowWrap: "anywhere" } as const;

/** One group: its exposure and evidence, warm pool, members, the fix and its audit. */
export function GroupDetailView({ detail, fleet }: { detail: GroupDetail; fleet: string | undefined }) {
  const e = detail.exposure;
  const wp = detail.warmPool;
  return (
    <SpaceBetween size="l">
      <Container header={<Header variant="h2">Exposure</Header>} data-testid="group-exposure">
        <SpaceBetween size="l">
          <KeyValuePairs
            columns={3}
            items={[
              { label: "Exposure", value: <ExposureStatus exposure={e.exposure} /> },
              { label: "Why", value: <span data-testid="group-reason">{cap(e.reason, 600)}</span> },
              { label: "Launches from", value: cap(launchText(e.launch), 300) },
              { label: "Image", value: cap(imageText(e.agent), 300) },
              { label: "Agent", value: cap(agentText(e.agent), 300) },
              {
                label: "ECS_WARM_POOLS_CHECK",
                value: <code style={mono}>{cap(checkText(e.check), 500)}</code>,
              },
            ]}
          />
          <SpaceBetween size="xxs">
            <Box variant="h3">Evidence</Box>
            <ul aria-label="Evidence" data-testid="group-evidence" style={{ margin: 0, paddingInlineStart: 20 }}>
              {e.evidence.slice(0, 20).map((line, i) => (
                <li key={i}>
                  <code style={mono}>{cap(line, 500)}</code>
                </li>
              ))}
            </ul>
          </SpaceBetween>
        </SpaceBetween>
      </Container>
      <ColumnLayout columns={2}>
        <Container header={<Header variant="h2">Warm pool</Header>} data-testid="group-warm-pool">
          {wp ? (
            <KeyValuePairs
              columns={2}
              items={[
                { label: "State", value: wp.poolState ?? "(not said)" },
                { label: "Instances in the pool", value: wp.size !== undefined ? String(wp.size) : "(not said)" },
                { label: "Minimum size", value: wp.minSize !== undefined ? String(wp.minSize) : "(not said)" },
                {
                  label: "Max prepared capacity",
                  value: wp.maxPreparedCapacity !== undefined ? String(wp.maxPreparedCapacity) : "(group maximum)",
                },
              ]}
            />
          ) : (
            <Box>No warm pool: the check only matters to groups with one, so it can simply be off.</Box>
          )}
        </Container>
        <Container header={<Header variant="h2">Members by verdict</Header>} data-testid="group-members">
          <SpaceBetween size="s">
            <MemberVerdicts group={e.group} counts={detail.instances} fleet={fleet} direction="vertical" />
            {detail.agentVersions.length > 0 ? (
              <Box variant="small" color="text-body-secondary">
                {`Agents seen: ${detail.agentVersions
                  .map((v) => `${cap(v.version ?? "unknown", 40)} × ${v.n}`)
                  .join(", ")}`}
              </Box>
            ) : null}
          </SpaceBetween>
        </Container>
      </ColumnLayout>
      <GroupFix fix={detail.fix} fleet={fleet} audit={detail.audit} exposure={e.exposure} />
      <GroupAudit rows={detail.audit} />
    </SpaceBetween>
  );
}
