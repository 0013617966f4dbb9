"use client";

import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import Table from "@cloudscape-design/components/table";
import { useState } from "react";
import { postBreakerReset } from "@/components/api/client.ts";
import { When } from "@/components/text/when.tsx";
import { PolicyModal } from "./policy-modal.tsx";
import { groupText, type PolicyRow } from "./policy-rows.ts";

/** The policies per group and the default, what applies where, each group's breaker; operators edit and reset. */
export function PoliciesTable({
  rows,
  fleet,
  canChange,
  onChanged,
}: {
  rows: PolicyRow[];
  /** The fleet these policies are of: edits and resets name it (a group name is only unique inside one). */
  fleet: string;
  canChange: boolean;
  onChanged: () => void;
}) {
  const [editing, setEditing] = useState<PolicyRow>();
  const [error, setError] = useState<string>();

  const reset = async (group: string | null) => {
    setError(undefined);
    try {
      await postBreakerReset(group, fleet);
      onChanged();
    } catch (e) {
      setError((e as Error).message.slice(0, 300));
    }
  };

  return (
    <>
      <Table
        data-testid="autopilot-policies"
        ariaLabels={{ tableLabel: "Autopilot policies" }}
        header={
          <Header
            counter={`(${rows.length})`}
            description="Off by default. A group without its own policy takes the default; so do instances in no group."
          >
            Policies
          </Header>
        }
        items={rows}
        trackBy={(r) => r.group ?? ""}
        wrapLines
        columnDefinitions={[
          { id: "group", width: 200, header: "Group", cell: (r) => groupText(r.group) },
          {
            id: "mode",
            width: 160,
            header: "Mode",
            cell: (r) => (
              <span data-testid={`mode-${r.group ?? "default"}`}>
                {r.effective ? r.effective.mode : "off"}
                {r.effective?.dryRun ? " (dry run)" : ""}
                {r.group !== null && !r.own ? (
                  <Box variant="small" display="block" color="text-body-secondary">
                    from the default
                  </Box>
                ) : null}
              </span>
            ),
          },
          {
            id: "limits",
            width: 190,
            header: "Limits",
            cell: (r) =>
              r.effective
                ? `${r.effective.maxRestartsPerHour}/h; breaker ${r.effective.breakerFailures} in ${r.effective.breakerWindowMinutes} min`
                : "-",
          },
          {
            id: "breaker",
            width: 170,
            header: "Breaker",
            cell: (r) =>
              r.breaker ? (
                <SpaceBetween size="xxs">
                  <StatusIndicator type="error">
                    Tripped ({r.breaker.failures} failed){r.group === null ? ", instances in no group" : ""}
                  </StatusIndicator>
                  <When iso={r.breaker.trippedAt} />
                  {canChange ? (
                    <Button
                      variant="inline-link"
                      onClick={() => reset(r.group)}
                      data-testid={`reset-${r.group ?? "default"}`}
                    >
                      Reset
                    </Button>
                  ) : null}
                </SpaceBetween>
              ) : (
                <StatusIndicator type="success">Closed</StatusIndicator>
              ),
          },
          {
            id: "author",
            width: 210,
            header: "Set by",
            cell: (r) =>
              r.own ? (
                <>
                  {r.own.author}
                  <Box variant="small" display="block" color="text-body-secondary">
                    <When iso={r.own.updatedAt} />
                  </Box>
                </>
              ) : (
                "-"
              ),
          },
          {
            id: "edit",
            width: 90,
            header: "Change",
            cell: (r) =>
              canChange ? (
                <Button
                  variant="inline-link"
                  onClick={() => setEditing(r)}
                  data-testid={`edit-${r.group ?? "default"}`}
                >
                  Edit
                </Button>
              ) : null,
          },
        ]}
      />
      {error ? <Box color="text-status-error">{error}</Box> : null}
      {editing ? (
        <PolicyModal
          fleet={fleet}
          group={editing.group}
          {...(editing.own ? { current: editing.own } : editing.effective ? { current: editing.effective } : {})}
          onDismiss={() => setEditing(undefined)}
          onSaved={() => {
            setEditing(undefined);
            onChanged();
          }}
        />
      ) : null}
    </>
  );
}
