"use client";

import Box from "@cloudscape-design/components/box";
import ExpandableSection from "@cloudscape-design/components/expandable-section";
import Header from "@cloudscape-design/components/header";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import Table from "@cloudscape-design/components/table";
import { cap } from "@/components/text/cap.ts";
import { When } from "@/components/text/when.tsx";
import type { GroupFixAuditRow } from "@/lib/store/interfaces.ts";

/** One write as the audit holds it: the request before it was sent, and AWS's answer (or the error) after. */
type Attempt = { request?: GroupFixAuditRow; outcome?: GroupFixAuditRow };

const STEP: Record<GroupFixAuditRow["step"], string> = {
  template: "Create launch template version",
  point: "Point group at version",
  refresh: "Start instance refresh",
};

/** The request in words: which template version it started from, or which version the group was pointed at. */
function requestWords(r: GroupFixAuditRow): string {
  const v = r.version !== undefined ? ` version ${r.version}` : "";
  if (r.step === "template") return `New version of ${r.templateId ?? "?"} from${v || " ?"}`;
  if (r.step === "point") return `${r.group} to ${r.templateId ?? "?"}${v}`;
  return `Refresh ${r.group}${r.templateId ? ` (launching ${r.templateId}${v})` : ""}`;
}

function attempts(rows: GroupFixAuditRow[]): (Attempt & { id: string })[] {
  const by = new Map<string, Attempt>();
  for (const r of rows) {
    const a = by.get(r.attemptId) ?? {};
    if (r.phase === "requested") a.request = r;
    else a.outcome = r;
    by.set(r.attemptId, a);
  }
  // The rows come newest first; so do the attempts.
  return [...by.entries()].map(([id, a]) => ({ id, ...a }));
}

/** The group's fixes: who asked for which write, when, the exact request and what AWS answered. */
export function GroupAudit({ rows }: { rows: GroupFixAuditRow[] }) {
  const items = attempts(rows);
  return (
    <Table
      data-testid="group-audit"
      ariaLabels={{ tableLabel: "Fix audit" }}
      header={
        <Header
          variant="h2"
          counter={`(${items.length})`}
          description="Every write made to this group's template or group, newest first."
        >
          Audit
        </Header>
      }
      items={items}
      trackBy="id"
      wrapLines
      empty={<Box textAlign="center">No fixes applied to this group from Fleet Doctor.</Box>}
      columnDefinitions={[
        { id: "when", header: "When", cell: (a) => <When iso={(a.request ?? a.outcome)?.at} stacked />, width: 150 },
        {
          id: "who",
          header: "Who",
          cell: (a) => {
            const r = a.request ?? a.outcome;
            return r ? `${cap(r.actor, 200)} (${r.actorRole})` : "";
          },
          width: 120,
        },
        { id: "what", header: "What", cell: (a) => STEP[(a.request ?? a.outcome)!.step], width: 150 },
        {
          id: "outcome",
          header: "Outcome",
          cell: (a) =>
            a.outcome?.phase === "succeeded" ? (
              <StatusIndicator type="success">Succeeded</StatusIndicator>
            ) : a.outcome?.phase === "failed" ? (
              <StatusIndicator type="error">Failed</StatusIndicator>
            ) : (
              <StatusIndicator type="pending">No answer recorded</StatusIndicator>
            ),
          width: 150,
        },
        {
          id: "before",
          header: "Before: the request",
          cell: (a) =>
            a.request ? (
              <ExpandableSection headerText={requestWords(a.request)} variant="footer">
                <code style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>{cap(a.request.detail, 4000)}</code>
              </ExpandableSection>
            ) : (
              ""
            ),
          width: 240,
        },
        {
          id: "after",
          header: "After: AWS's answer",
          cell: (a) => cap(a.outcome?.detail, 600),
        },
      ]}
    />
  );
}
