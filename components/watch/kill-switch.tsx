"use client";

import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Modal from "@cloudscape-design/components/modal";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Toggle from "@cloudscape-design/components/toggle";
import { useState } from "react";
import { postKillSwitch } from "@/components/api/client.ts";
import { When } from "@/components/text/when.tsx";
import type { AutopilotStatus } from "@/lib/autopilot/types.ts";

/**
 * The global kill switch: a toggle that asks first. Set by the variable (FLEET_DOCTOR_AUTOPILOT=off) it cannot be
 * released here, and says so.
 */
export function KillSwitch({
  state,
  fleet,
  canChange,
  onChanged,
}: {
  state: AutopilotStatus["killSwitch"];
  /** The fleet of the page that sets it: the switch is global, its log entry is under this fleet. */
  fleet?: string;
  canChange: boolean;
  onChanged: () => void;
}) {
  const [asking, setAsking] = useState<boolean>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const byVariable = state.source === "variable";

  const confirm = async () => {
    if (asking === undefined) return;
    setBusy(true);
    setError(undefined);
    try {
      await postKillSwitch(asking, fleet);
      setAsking(undefined);
      onChanged();
    } catch (e) {
      setError((e as Error).message.slice(0, 300));
    } finally {
      setBusy(false);
    }
  };

  return (
    <SpaceBetween size="xs">
      <Toggle
        data-testid="kill-switch"
        checked={state.engaged}
        disabled={!canChange || byVariable || busy}
        onChange={({ detail }) => setAsking(detail.checked)}
      >
        Kill switch {state.engaged ? "engaged: no automatic restart anywhere" : "released"}
      </Toggle>
      <Box variant="small" color="text-body-secondary">
        {byVariable ? (
          "Engaged by FLEET_DOCTOR_AUTOPILOT=off on the server: only the variable can release it."
        ) : state.by ? (
          <>
            Last set by {state.by} at <When iso={state.at} />
          </>
        ) : canChange ? (
          "Stops every automatic restart at once, whatever the policies say. Alerts still go."
        ) : (
          "Changing it needs the operator role."
        )}
      </Box>
      {asking !== undefined ? (
        <Modal
          visible
          onDismiss={() => setAsking(undefined)}
          header={asking ? "Engage the kill switch?" : "Release the kill switch?"}
          footer={
            <Box float="right">
              <SpaceBetween direction="horizontal" size="xs">
                <Button variant="link" onClick={() => setAsking(undefined)}>
                  Cancel
                </Button>
                <Button variant="primary" loading={busy} onClick={confirm} data-testid="kill-switch-confirm">
                  {asking ? "Engage" : "Release"}
                </Button>
              </SpaceBetween>
            </Box>
          }
        >
          <SpaceBetween size="s">
            <Box>
              {asking
                ? "No automatic restart will be sent in any group until it is released. Restarts under way finish."
                : "Groups whose policy is restart will restart lifecycle-404:ready instances again, within their limits."}
            </Box>
            {error ? <Box color="text-status-error">{error}</Box> : null}
          </SpaceBetween>
        </Modal>
      ) : null}
    </SpaceBetween>
  );
}
