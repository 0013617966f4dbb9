"use client";

import Box from "@cloudscape-design/components/box";
import Container from "@cloudscape-design/components/container";
import ExpandableSection from "@cloudscape-design/components/expandable-section";
import Header from "@cloudscape-design/components/header";
import KeyValuePairs from "@cloudscape-design/components/key-value-pairs";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import Table from "@cloudscape-design/components/table";
import { useEffect, useRef, useState } from "react";
import { actionEventsUrl, fetchAction, fetchActionEventsText } from "@/components/api/client.ts";
import { AppLink as Link } from "@/components/shell/app-link.tsx";
import { count } from "@/components/text/plural.ts";
import { formatTime } from "@/components/text/time.ts";
import { When } from "@/components/text/when.tsx";
import { VerdictStatus } from "@/components/verdict/verdict-status.tsx";
import type { ActionEvent, ActionDetail as Detail, InstanceOutcome } from "@/lib/actions/types.ts";
import type { Verdict } from "@/lib/diagnosis/types.ts";
import { instanceHref } from "@/lib/instances/instance-href.ts";
import { ACTION_STATUS, KIND_TEXT, OUTCOME } from "./outcome-text.ts";

type Row = {
  instanceId: string;
  decision: string;
  before?: Verdict;
  reason?: string;
  live?: string;
  outcome?: InstanceOutcome;
};

/**
 * One action, live: the stored detail first, then the event stream (GET /api/actions/:id/events); each event
 * refreshes the detail, and SSM's per-instance status shows while the restart runs. Ends with each instance's
 * outcome: registered again (and the probe's verdict after), or failed again with the new failure line.
 */
export function ActionDetail({ initial }: { initial: Detail }) {
  const [detail, setDetail] = useState(initial);
  const [live, setLive] = useState<Record<string, string>>({});
  const [events, setEvents] = useState<ActionEvent[]>([]);
  const refreshing = useRef(false);
  const id = initial.id;

  useEffect(() => {
    if (initial.status !== "running") {
      fetchActionEventsText(id)
        .then((t) => setEvents(parseFrames(t)))
        .catch(() => {});
      return;
    }
    const refresh = async () => {
      if (refreshing.current) return;
      refreshing.current = true;
      try {
        setDetail(await fetchAction(id));
      } catch {
        // next event tries again
      } finally {
        refreshing.current = false;
      }
    };
    const source = new EventSource(actionEventsUrl(id));
    const onEvent = (m: MessageEvent<string>) => {
      let e: ActionEvent;
      try {
        e = JSON.parse(m.data) as ActionEvent;
      } catch {
        return;
      }
      setEvents((xs) => [...xs, e]);
      if (e.type === "instance-status") setLive((l) => ({ ...l, [e.instanceId]: e.status }));
      if (e.type === "instance-restarted")
        setLive((l) => ({ ...l, [e.instanceId]: `${OUTCOME[e.outcome].text}; verifying with the probe` }));
      if (e.type !== "instance-status") void refresh();
      if (e.type === "action-finished") source.close();
    };
    const types = [
      "action-started",
      "resumed",
      "batch-sending",
      "batch-sent",
      "batch-failed",
      "instance-status",
      "instance-restarted",
      "rediagnosing",
      "instance-outcome",
      "halted",
      "action-finished",
    ];
    for (const t of types) source.addEventListener(t, onEvent as EventListener);
    return () => source.close();
  }, [id, initial.status]);

  const outcomes = new Map(detail.outcomes.map((o) => [o.instanceId, o]));
  const rows: Row[] = detail.targets.map((t) => ({
    instanceId: t.instanceId,
    decision: t.decision,
    ...(t.preflight.verdict ? { before: t.preflight.verdict } : {}),
    ...(t.reason ? { reason: t.reason } : {}),
    ...(live[t.instanceId] ? { live: live[t.instanceId] } : {}),
    ...(outcomes.get(t.instanceId) ? { outcome: outcomes.get(t.instanceId) } : {}),
  }));
  const status = ACTION_STATUS[detail.status] ?? { text: detail.status, type: "info" as const };

  return (
    <SpaceBetween size="l">
      <Container header={<Header variant="h2">Summary</Header>}>
        <KeyValuePairs
          columns={4}
          items={[
            {
              label: "Status",
              value: (
                <StatusIndicator type={status.type}>
                  <span data-testid="action-status">{status.text}</span>
                </StatusIndicator>
              ),
            },
            { label: "Remedy", value: `${KIND_TEXT[detail.kind] ?? detail.kind}${detail.forced ? " (forced)" : ""}` },
            { label: "Fleet", value: detail.fleet ?? "the default fleet (before fleets were recorded)" },
            { label: "Who", value: `${detail.actor.slice(0, 120)} (${detail.actorRole})` },
            { label: "When", value: <When iso={detail.createdAt} /> },
            { label: "Why", value: detail.reason ? detail.reason.slice(0, 500) : "-" },
            {
              label: "Batches",
              value: `${detail.maxConcurrency} at a time; stop after more than ${count(detail.maxErrors, "failure")}`,
            },
            { label: "Commands", value: detail.commands.map((c) => c.commandId).join(", ") || "-" },
            { label: "Finished", value: detail.finishedAt ? formatTime(detail.finishedAt) : "-" },
          ]}
        />
      </Container>
      <Table
        data-testid="action-instances"
        header={
          <Header variant="h2" counter={`(${rows.length})`}>
            Instances
          </Header>
        }
        items={rows}
        trackBy="instanceId"
        wrapLines
        columnDefinitions={[
          {
            id: "instance",
            header: "Instance",
            cell: (r) => <Link href={instanceHref(r.instanceId)}>{r.instanceId}</Link>,
          },
          {
            id: "before",
            header: "Verdict before",
            cell: (r) => (r.before ? <VerdictStatus verdict={r.before} /> : "-"),
          },
          {
            id: "decision",
            header: "Preflight",
            cell: (r) =>
              r.decision === "accepted" ? (
                r.reason ? (
                  r.reason.slice(0, 300)
                ) : (
                  "Passed"
                )
              ) : (
                <span data-testid="refusal">{`${r.decision === "joined" ? "Joined a running restart" : "Refused"}: ${(r.reason ?? "").slice(0, 300)}`}</span>
              ),
          },
          {
            id: "outcome",
            header: "Outcome",
            cell: (r) => {
              if (r.outcome) {
                const o = OUTCOME[r.outcome.outcome];
                return (
                  <SpaceBetween size="xxs">
                    <StatusIndicator type={o.type}>
                      <span data-testid="instance-outcome">{o.text}</span>
                    </StatusIndicator>
                    {r.outcome.message && <Box variant="small">{r.outcome.message.slice(0, 300)}</Box>}
                  </SpaceBetween>
                );
              }
              if (r.decision !== "accepted") return "-";
              return <StatusIndicator type="in-progress">{r.live ?? "Waiting"}</StatusIndicator>;
            },
          },
          {
            id: "after",
            header: "Verdict after",
            cell: (r) =>
              r.outcome?.verdictAfter ? (
                <SpaceBetween size="xxs">
                  <span data-testid="verdict-after">
                    <VerdictStatus verdict={r.outcome.verdictAfter} />
                  </span>
                  {/* The verification scan belongs to this action: it is reached from here, not the Scans page. */}
                  {r.outcome.scanId ? (
                    <Link href={`/scans/${encodeURIComponent(r.outcome.scanId)}`}>
                      {`Verification scan ${r.outcome.scanId.slice(0, 8)}`}
                    </Link>
                  ) : null}
                </SpaceBetween>
              ) : (
                "-"
              ),
          },
          {
            id: "evidence",
            header: "New evidence",
            cell: (r) =>
              r.outcome?.failureLine ? (
                <Box variant="code" data-testid="failure-line">
                  {r.outcome.failureLine.slice(0, 400)}
                </Box>
              ) : r.outcome?.report?.config ? (
                `ecs.config: ECS_WARM_POOLS_CHECK ${r.outcome.report.config.previous ?? "(unset)"} -> ${r.outcome.report.config.value ?? "?"}; backup ${r.outcome.report.config.backup ?? "none"}`
              ) : (
                "-"
              ),
          },
        ]}
      />
      <ExpandableSection variant="container" headerText={`Events (${events.length})`}>
        <pre style={{ whiteSpace: "pre-wrap", margin: 0, maxHeight: 400, overflow: "auto" }}>
          {events.map((e) => `${e.at}  ${e.type}  ${summary(e)}`).join("\n")}
        </pre>
      </ExpandableSection>
    </SpaceBetween>
  );
}

function summary(e: ActionEvent): string {
  switch (e.type) {
    case "batch-sent":
      return `${e.commandId} -> ${e.instanceIds.join(", ")}`;
    case "instance-status":
      return `${e.instanceId} ${e.status}`;
    case "instance-restarted":
      return `${e.instanceId} ${e.outcome}`;
    case "instance-outcome":
      return `${e.outcome.instanceId} ${e.outcome.outcome}${e.outcome.verdictAfter ? ` (${e.outcome.verdictAfter})` : ""}`;
    case "action-finished":
      return e.status;
    case "halted":
      return e.reason;
    default:
      return "";
  }
}

function parseFrames(text: string): ActionEvent[] {
  const out: ActionEvent[] = [];
  for (const block of text.split("\n\n")) {
    const data = block.split("\n").find((l) => l.startsWith("data: "));
    if (!data) continue;
    try {
      out.push(JSON.parse(data.slice(6)) as ActionEvent);
    } catch {
      // not an event
    }
  }
  return out;
}
