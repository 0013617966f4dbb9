"use client";

import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import ExpandableSection from "@cloudscape-design/components/expandable-section";
import FormField from "@cloudscape-design/components/form-field";
import Modal from "@cloudscape-design/components/modal";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Textarea from "@cloudscape-design/components/textarea";
import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { fetchScript, postAction } from "@/components/api/client.ts";
import type { ActionKind, PreflightCheck } from "@/lib/actions/types.ts";
import { CountField, countConfirmed, needsCount } from "./count-confirm.tsx";
import { REMEDY } from "./remedies.ts";

const MIN_REASON = 10;

/**
 * The confirmation: which instances (and which are left out, with why), the exact command, the count typed
 * above ten instances, a written reason when forcing. One click sends one request (the button locks at once; the
 * server joins a second request for the same instances to the first anyway), then the action's page opens.
 */
export function RestartModal({
  kind,
  force,
  checks,
  fleet,
  onDismiss,
}: {
  kind: ActionKind;
  force: boolean;
  /** The fleet of the instances (sent with the request). */
  fleet?: string;
  checks: PreflightCheck[];
  onDismiss: () => void;
}) {
  const router = useRouter();
  const targets = checks.filter((c) => c.ok || (force && !c.hard));
  const left = checks.filter((c) => !targets.includes(c));
  const [typed, setTyped] = useState("");
  const [reason, setReason] = useState("");
  const [script, setScript] = useState<string[]>();
  const [error, setError] = useState<string>();
  const [sending, setSending] = useState(false);
  const sent = useRef(false);
  const ready =
    targets.length > 0 && countConfirmed(targets.length, typed) && (!force || reason.trim().length >= MIN_REASON);

  const confirm = async () => {
    if (sent.current || !ready) return;
    sent.current = true;
    setSending(true);
    setError(undefined);
    try {
      const answer = await postAction({
        kind,
        ...(fleet ? { fleet } : {}),
        instanceIds: targets.map((t) => t.instanceId),
        ...(force ? { force: true, reason: reason.trim() } : {}),
      });
      router.push(`/activity/${encodeURIComponent(answer.actionId)}`);
    } catch (e) {
      sent.current = false;
      setSending(false);
      setError((e as Error).message.slice(0, 500));
    }
  };

  return (
    <Modal
      visible
      onDismiss={onDismiss}
      header={`${REMEDY[kind].title}${force ? " (forced)" : ""} on ${targets.length} instance${targets.length === 1 ? "" : "s"}`}
      footer={
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={onDismiss}>
              Cancel
            </Button>
            <Button
              variant="primary"
              disabled={!ready}
              loading={sending}
              onClick={confirm}
              data-testid="confirm-restart"
            >
              {REMEDY[kind].button}
            </Button>
          </SpaceBetween>
        </Box>
      }
    >
      <SpaceBetween size="m">
        <div>
          <Box variant="awsui-key-label">Instances</Box>
          <ul data-testid="restart-targets" style={{ margin: 0, paddingInlineStart: 20 }}>
            {targets.map((t) => (
              <li key={t.instanceId}>
                <Box variant="code">{t.instanceId}</Box> {t.verdict ? `(${t.verdict})` : ""}
                {force && !t.ok && t.reason ? <Box variant="small"> Forced past: {t.reason.slice(0, 300)}</Box> : null}
              </li>
            ))}
          </ul>
        </div>
        {left.length > 0 && (
          <Alert type="info" header={`${left.length} left out`}>
            <ul style={{ margin: 0, paddingInlineStart: 20 }} data-testid="restart-left-out">
              {left.map((c) => (
                <li key={c.instanceId}>
                  <Box variant="code">{c.instanceId}</Box>: {(c.reason ?? "refused").slice(0, 300)}
                </li>
              ))}
            </ul>
          </Alert>
        )}
        <div>
          <Box variant="awsui-key-label">The command (AWS-RunShellScript through SSM)</Box>
          <pre data-testid="restart-command" style={{ whiteSpace: "pre-wrap", margin: 0 }}>
            {REMEDY[kind].command}
          </pre>
        </div>
        <ExpandableSection
          headerText="The full script that will be sent"
          onChange={(e) => {
            if (e.detail.expanded && !script) fetchScript(kind).then(setScript, (x: Error) => setError(x.message));
          }}
        >
          <pre style={{ whiteSpace: "pre-wrap", maxHeight: 320, overflow: "auto", margin: 0 }}>
            {script ? script.join("\n") : "Loading…"}
          </pre>
        </ExpandableSection>
        {force && (
          <FormField
            label="Why force it"
            description={`Recorded in the audit log with your name (at least ${MIN_REASON} characters).`}
          >
            <Textarea
              value={reason}
              onChange={(e) => setReason(e.detail.value)}
              placeholder="Incident, ticket, what you checked"
            />
          </FormField>
        )}
        {needsCount(targets.length) && <CountField count={targets.length} value={typed} onChange={setTyped} />}
        {error && <Alert type="error">{error}</Alert>}
      </SpaceBetween>
    </Modal>
  );
}
