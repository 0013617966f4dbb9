"use client";

import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Modal from "@cloudscape-design/components/modal";
import ProgressBar from "@cloudscape-design/components/progress-bar";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { fetchAction, fetchMe, fetchPreflight, postAction } from "@/components/api/client.ts";
import { AppLink } from "@/components/shell/app-link.tsx";
import { count } from "@/components/text/plural.ts";
import type { ActionDetail, PreflightCheck } from "@/lib/actions/types.ts";
import { CountField, countConfirmed, needsCount } from "./count-confirm.tsx";
import { REMEDY } from "./remedies.ts";

/** One action (one SendCommand batch on the server) per this many instances: the API's limit per action. */
const PER_ACTION = 50;

const chunks = <T,>(xs: T[], n: number): T[][] =>
  Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, (i + 1) * n));

type Phase =
  | { kind: "idle" }
  | { kind: "checking" }
  | { kind: "confirm"; ready: PreflightCheck[]; left: PreflightCheck[] }
  | { kind: "running"; actionIds: string[]; details: ActionDetail[] }
  | { kind: "done"; details: ActionDetail[] };

function tally(details: ActionDetail[]) {
  const outcomes = details.flatMap((d) => d.outcomes);
  const verified = outcomes.filter((o) => o.outcome === "registered" && o.verdictAfter === "healthy").length;
  const accepted = details.flatMap((d) => d.targets.filter((t) => t.decision === "accepted")).length;
  return { verified, failed: outcomes.length - verified, accepted, finished: outcomes.length };
}

/**
 * The overview's one action: restart every fixable instance (`lifecycle-404:ready`) after the preflight, with a
 * confirmation that names the count; the overview then follows the restarts and says how many came back verified
 * healthy. These instances run no tasks (their agent never registered), so they go in one batch per action.
 */
export function RestartFixable({ instanceIds, fleet }: { instanceIds: string[]; fleet?: string }) {
  const router = useRouter();
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });
  const [operator, setOperator] = useState<boolean>();
  const [typed, setTyped] = useState("");
  const [error, setError] = useState<string>();
  const sent = useRef(false);

  useEffect(() => {
    const abort = new AbortController();
    fetchMe(abort.signal).then(
      (me) => setOperator(me.actor.role === "operator"),
      () => {},
    );
    return () => abort.abort();
  }, []);

  // While restarts run: read each action until it ends, then refresh the overview's counts.
  const runningIds = phase.kind === "running" ? phase.actionIds.join(",") : "";
  useEffect(() => {
    if (!runningIds) return;
    const ids = runningIds.split(",");
    let stop = false;
    const tick = async () => {
      try {
        const details = await Promise.all(ids.map((id) => fetchAction(id)));
        if (stop) return;
        if (details.every((d) => d.status !== "running")) {
          setPhase({ kind: "done", details });
          router.refresh();
          return;
        }
        setPhase({ kind: "running", actionIds: ids, details });
      } catch (e) {
        if (!stop) setError((e as Error).message.slice(0, 300));
      }
      if (!stop) setTimeout(tick, 1000);
    };
    void tick();
    return () => {
      stop = true;
    };
  }, [runningIds, router]);

  const open = async () => {
    setError(undefined);
    setPhase({ kind: "checking" });
    try {
      const checks = (
        await Promise.all(chunks(instanceIds, PER_ACTION).map((c) => fetchPreflight("restart", c, undefined, fleet)))
      ).flat();
      setTyped("");
      setPhase({ kind: "confirm", ready: checks.filter((c) => c.ok), left: checks.filter((c) => !c.ok) });
    } catch (e) {
      setPhase({ kind: "idle" });
      setError((e as Error).message.slice(0, 300));
    }
  };

  const confirm = async (ready: PreflightCheck[]) => {
    if (sent.current) return;
    sent.current = true;
    try {
      const answers = [];
      for (const batch of chunks(
        ready.map((c) => c.instanceId),
        PER_ACTION,
      )) {
        // The server restarts a batch of ready instances at once (defaultConcurrency): they run no tasks.
        answers.push(await postAction({ kind: "restart", ...(fleet ? { fleet } : {}), instanceIds: batch }));
      }
      setPhase({ kind: "running", actionIds: answers.map((a) => a.actionId), details: [] });
    } catch (e) {
      setPhase({ kind: "idle" });
      setError((e as Error).message.slice(0, 500));
    } finally {
      sent.current = false;
    }
  };

  const n = instanceIds.length;
  const progress = phase.kind === "running" || phase.kind === "done" ? tally(phase.details) : undefined;
  const actionLinks =
    phase.kind === "done"
      ? phase.details.map((d) => (
          <AppLink key={d.id} href={`/activity/${encodeURIComponent(d.id)}`}>
            {`Open action ${d.id.slice(0, 8)}`}
          </AppLink>
        ))
      : null;

  return (
    <SpaceBetween size="s">
      {phase.kind !== "running" && phase.kind !== "done" && n > 0 ? (
        <Button
          variant="primary"
          data-testid="restart-fixable"
          loading={phase.kind === "checking"}
          disabled={operator === false}
          disabledReason="Restarting needs the operator role."
          onClick={open}
        >
          {`Restart ${count(n, "fixable instance")}`}
        </Button>
      ) : null}
      {phase.kind === "running" && progress ? (
        <ProgressBar
          data-testid="restart-fixable-progress"
          label="Restarting the fixable instances"
          value={progress.accepted ? (100 * progress.finished) / progress.accepted : 0}
          description={`${progress.finished} of ${count(progress.accepted || n, "instance")} back: ${progress.verified} verified healthy`}
        />
      ) : null}
      {phase.kind === "done" && progress ? (
        <Alert
          data-testid="restart-fixable-result"
          type={progress.failed === 0 && progress.verified > 0 ? "success" : "warning"}
          header={`${progress.verified} of ${count(progress.accepted, "instance")} verified healthy`}
        >
          <SpaceBetween size="xxs">
            {progress.failed > 0 ? <Box>{`${count(progress.failed, "instance")} did not come back.`}</Box> : null}
            {actionLinks}
          </SpaceBetween>
        </Alert>
      ) : null}
      {error ? <Alert type="error">{error}</Alert> : null}
      {phase.kind === "confirm" ? (
        <Modal
          visible
          onDismiss={() => setPhase({ kind: "idle" })}
          header={`${REMEDY.restart.title} on ${count(phase.ready.length, "fixable instance")}`}
          footer={
            <Box float="right">
              <SpaceBetween direction="horizontal" size="xs">
                <Button variant="link" onClick={() => setPhase({ kind: "idle" })}>
                  Cancel
                </Button>
                <Button
                  variant="primary"
                  data-testid="confirm-restart-fixable"
                  disabled={phase.ready.length === 0 || !countConfirmed(phase.ready.length, typed)}
                  onClick={() => confirm(phase.ready)}
                >
                  {`Restart ${count(phase.ready.length, "instance")}`}
                </Button>
              </SpaceBetween>
            </Box>
          }
        >
          <SpaceBetween size="m">
            <Box>
              {`The preflight passed for ${count(phase.ready.length, "instance")}: their agent died on the lifecycle 404 and instance metadata now says InService, so a restart succeeds. Each is probed again afterwards to verify it.`}
            </Box>
            <pre data-testid="restart-command" style={{ whiteSpace: "pre-wrap", margin: 0 }}>
              {REMEDY.restart.command}
            </pre>
            {phase.left.length > 0 ? (
              <Alert type="info" header={`${phase.left.length} left out`}>
                <ul style={{ margin: 0, paddingInlineStart: 20 }}>
                  {phase.left.map((c) => (
                    <li key={c.instanceId}>
                      <Box variant="code">{c.instanceId}</Box>: {(c.reason ?? "refused").slice(0, 300)}
                    </li>
                  ))}
                </ul>
              </Alert>
            ) : null}
            {needsCount(phase.ready.length) ? (
              <CountField count={phase.ready.length} value={typed} onChange={setTyped} />
            ) : null}
          </SpaceBetween>
        </Modal>
      ) : null}
    </SpaceBetween>
  );
}
