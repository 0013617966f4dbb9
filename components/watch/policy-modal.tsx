"use client";

import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Checkbox from "@cloudscape-design/components/checkbox";
import FormField from "@cloudscape-design/components/form-field";
import Input from "@cloudscape-design/components/input";
import Modal from "@cloudscape-design/components/modal";
import Select from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { useState } from "react";
import { type ApiFailure, putAutopilotPolicy } from "@/components/api/client.ts";
import { POLICY_DEFAULTS } from "@/lib/autopilot/requests.ts";
import { AUTOPILOT_MODES, type AutopilotMode, type Policy } from "@/lib/autopilot/types.ts";
import { groupText } from "./policy-rows.ts";

const MODE_TEXT: Record<AutopilotMode, string> = {
  off: "Off: nothing",
  notify: "Notify: alert on new failures",
  restart: "Restart: alert, and restart lifecycle-404:ready instances",
};

type Numbers = "maxRestartsPerHour" | "breakerFailures" | "breakerWindowMinutes";

/** Edits one group's (or the default) policy; the server checks every field and names the one it refuses. */
export function PolicyModal({
  fleet,
  group,
  current,
  onDismiss,
  onSaved,
}: {
  /** The fleet the policy is set in (`<account>/<region>`), sent with it. */
  fleet: string;
  group: string | null;
  current?: Policy;
  onDismiss: () => void;
  onSaved: () => void;
}) {
  const [mode, setMode] = useState<AutopilotMode>(current?.mode ?? "off");
  const [dryRun, setDryRun] = useState(current?.dryRun ?? POLICY_DEFAULTS.dryRun);
  const [numbers, setNumbers] = useState<Record<Numbers, string>>({
    maxRestartsPerHour: String(current?.maxRestartsPerHour ?? POLICY_DEFAULTS.maxRestartsPerHour),
    breakerFailures: String(current?.breakerFailures ?? POLICY_DEFAULTS.breakerFailures),
    breakerWindowMinutes: String(current?.breakerWindowMinutes ?? POLICY_DEFAULTS.breakerWindowMinutes),
  });
  const [error, setError] = useState<{ field?: string; message: string }>();
  const [busy, setBusy] = useState(false);

  const save = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await putAutopilotPolicy({
        fleet,
        group,
        mode,
        dryRun,
        maxRestartsPerHour: Number(numbers.maxRestartsPerHour),
        breakerFailures: Number(numbers.breakerFailures),
        breakerWindowMinutes: Number(numbers.breakerWindowMinutes),
      });
      onSaved();
    } catch (e) {
      const f = e as ApiFailure;
      const field = typeof f.details?.field === "string" ? f.details.field : undefined;
      setError({ ...(field ? { field } : {}), message: f.message.slice(0, 300) });
    } finally {
      setBusy(false);
    }
  };
  const errorFor = (field: string) => (error?.field === field ? error.message : undefined);
  const number = (field: Numbers, label: string, description: string) => (
    <FormField label={label} description={description} errorText={errorFor(field)}>
      <Input
        type="number"
        inputMode="numeric"
        value={numbers[field]}
        onChange={({ detail }) => setNumbers((n) => ({ ...n, [field]: detail.value }))}
        ariaLabel={label}
      />
    </FormField>
  );

  return (
    <Modal
      visible
      onDismiss={onDismiss}
      header={`Autopilot policy: ${groupText(group)}`}
      footer={
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={onDismiss}>
              Cancel
            </Button>
            <Button variant="primary" loading={busy} onClick={save} data-testid="policy-save">
              Save
            </Button>
          </SpaceBetween>
        </Box>
      }
    >
      <SpaceBetween size="m">
        <FormField label="Mode" errorText={errorFor("mode")}>
          <Select
            data-testid="policy-mode"
            selectedOption={{ value: mode, label: MODE_TEXT[mode] }}
            options={AUTOPILOT_MODES.map((m) => ({ value: m, label: MODE_TEXT[m] }))}
            onChange={({ detail }) => setMode(detail.selectedOption.value as AutopilotMode)}
          />
        </FormField>
        <FormField errorText={errorFor("dryRun")}>
          <Checkbox checked={dryRun} onChange={({ detail }) => setDryRun(detail.checked)}>
            Dry run: record what would be restarted, send nothing
          </Checkbox>
        </FormField>
        {number(
          "maxRestartsPerHour",
          "Restarts per hour",
          "At most this many automatic restarts in the group per hour.",
        )}
        {number("breakerFailures", "Breaker: failed verifications", "This many failed verifications stop the group.")}
        {number("breakerWindowMinutes", "Breaker: within minutes", "…within this many minutes.")}
        {error &&
        !["mode", "dryRun", "maxRestartsPerHour", "breakerFailures", "breakerWindowMinutes"].includes(
          error.field ?? "",
        ) ? (
          <Box color="text-status-error">{error.message}</Box>
        ) : null}
      </SpaceBetween>
    </Modal>
  );
}
