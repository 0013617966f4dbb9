"use client";

import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Container from "@cloudscape-design/components/container";
import CopyToClipboard from "@cloudscape-design/components/copy-to-clipboard";
import Header from "@cloudscape-design/components/header";
import Modal from "@cloudscape-design/components/modal";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import {
  type ApiFailure,
  fetchMe,
  type Me,
  postGroupPoint,
  postGroupRefresh,
  postGroupTemplate,
} from "@/components/api/client.ts";
import { cap } from "@/components/text/cap.ts";
import type { FixPlan, FixStep, NoFix } from "@/lib/exposure/fix-plan.ts";
import type { Exposure } from "@/lib/exposure/types.ts";
import type { GroupFixAuditRow } from "@/lib/store/interfaces.ts";
import { DiffView } from "./diff-view.tsx";

type Step = FixStep["step"];

/** What each step answered, so the next one can be confirmed with the token it gave. */
type Done = {
  template?: { version: number; pointToken: string; refreshToken: string };
  point?: { version: number; refreshToken: string };
  refresh?: { instanceRefreshId: string };
};

const isPlan = (p: FixPlan | NoFix): p is FixPlan => "token" in p;

/** The API's words for a failed step; a 409 means the preview is stale. */
function failureText(e: ApiFailure): string {
  if (e.status === 409) return `${e.message} Reload the page to see the current preview, then confirm again.`;
  if (e.status === 403) return `${e.message} (needs the operator role)`;
  return e.message || "The request failed.";
}

/** The group's audited writes as attempts (request and outcome), newest first. */
function attemptsOf(audit: GroupFixAuditRow[]) {
  const by = new Map<string, { request?: GroupFixAuditRow; outcome?: GroupFixAuditRow }>();
  for (const r of audit) {
    const a = by.get(r.attemptId) ?? {};
    if (r.phase === "requested") a.request = r;
    else a.outcome = r;
    by.set(r.attemptId, a);
  }
  return [...by.values()];
}

/**
 * A safe group whose newest audited write pointed it at a fixed version (the page was opened after step 2): the
 * optional refresh, confirmed on its own.
 */
function RefreshAfterPoint({ group, fleet, pointed }: { group: string; fleet?: string; pointed: GroupFixAuditRow }) {
  const router = useRouter();
  const [me, setMe] = useState<Me>();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [started, setStarted] = useState<string>();
  useEffect(() => {
    const abort = new AbortController();
    fetchMe(abort.signal).then(setMe, () => {});
    return () => abort.abort();
  }, []);
  const why = !me
    ? "Checking your role…"
    : me.actor.role !== "operator"
      ? `Needs the operator role; ${me.actor.id} is a viewer.`
      : started
        ? "The refresh has started."
        : undefined;
  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setStarted((await postGroupRefresh(group, fleet)).instanceRefreshId);
      setOpen(false);
      router.refresh();
    } catch (e) {
      setError(failureText(e as ApiFailure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <SpaceBetween size="xs">
      <Box>
        {`${pointed.actor} pointed ${group} at ${pointed.templateId ?? "its template"} version ${pointed.version ?? "?"}. Its running instances can be replaced by ones from that version (optional).`}
      </Box>
      <SpaceBetween size="xs" direction="horizontal" alignItems="center">
        <Button
          disabled={why !== undefined}
          disabledReason={why}
          onClick={() => setOpen(true)}
          data-testid="fix-refresh"
        >
          Start refresh
        </Button>
        {started ? <StatusIndicator type="success">{`Instance refresh ${started} started.`}</StatusIndicator> : null}
      </SpaceBetween>
      {why && !started ? (
        <Box variant="small" color="text-body-secondary" data-testid="fix-refresh-blocked">
          {why}
        </Box>
      ) : null}
      {open ? (
        <Modal
          visible
          onDismiss={() => (busy ? undefined : setOpen(false))}
          header="Start an instance refresh"
          footer={
            <Box float="right">
              <SpaceBetween direction="horizontal" size="xs">
                <Button variant="link" disabled={busy} onClick={() => setOpen(false)}>
                  Cancel
                </Button>
                <Button variant="primary" loading={busy} onClick={run} data-testid="fix-confirm">
                  Confirm: start refresh
                </Button>
              </SpaceBetween>
            </Box>
          }
        >
          <SpaceBetween size="s">
            <Box>
              One Auto Scaling StartInstanceRefresh on <b>{group}</b> (minimum healthy 90%): its instances are replaced,
              a few at a time, by ones launched from the version it launches now. The server refuses it unless that
              version reads safe.
            </Box>
            {error ? (
              <Alert type="error" data-testid="fix-error">
                {cap(error, 600)}
              </Alert>
            ) : null}
          </SpaceBetween>
        </Modal>
      ) : null}
    </SpaceBetween>
  );
}

function CodeBlock({ text, what }: { text: string; what: string }) {
  return (
    <CopyToClipboard
      variant="inline"
      textToCopy={text}
      textToDisplay={<code style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>{cap(text, 4000)}</code>}
      copyButtonAriaLabel={`Copy ${what}`}
      copySuccessText="Copied"
      copyErrorText="Could not copy"
    />
  );
}

/**
 * The permanent fix of an exposed group: the commands in order (to run by hand), the user-data diff, and three writes
 * from the page, each with its own confirmation naming exactly what it writes: create the launch template version from
 * the previewed plan (its token), point the group at the version just created, and optionally refresh the instances.
 * Each step opens only when the one before it is done. Viewers see it all with the buttons disabled and the reason.
 */
export function GroupFix({
  fix: initial,
  fleet,
  audit,
  exposure,
}: {
  fix: FixPlan | NoFix;
  fleet: string | undefined;
  audit: GroupFixAuditRow[];
  exposure: Exposure;
}) {
  const router = useRouter();
  // Kept from the first render: after a step the page refreshes (the group may read safe, with no plan any more),
  // and the steps still show what was done.
  const [fix] = useState(initial);
  const [me, setMe] = useState<Me>();
  const [done, setDone] = useState<Done>({});
  const [open, setOpen] = useState<Step>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ step: Step; text: string }>();

  useEffect(() => {
    const abort = new AbortController();
    fetchMe(abort.signal).then(setMe, () => {});
    return () => abort.abort();
  }, []);

  const commands = fix.steps.map((s, i) => `# ${i + 1}. ${s.title}${s.optional ? " (optional)" : ""}\n${s.command}`);
  const runbook = (
    <SpaceBetween size="xs">
      <Box variant="h3">Commands, in order</Box>
      <div data-testid="fix-commands">
        <CodeBlock text={commands.join("\n\n")} what="the commands" />
      </div>
    </SpaceBetween>
  );
  const attempts = attemptsOf(audit);
  if (!isPlan(fix)) {
    const last = attempts[0];
    const pointed =
      exposure === "safe" && last?.outcome?.phase === "succeeded" && last.outcome.step === "point"
        ? last.outcome
        : undefined;
    return (
      <Container header={<Header variant="h2">Fix</Header>} data-testid="group-fix">
        <SpaceBetween size="s">
          <Box data-testid="fix-none">{cap(fix.reason, 600)}</Box>
          {fix.steps.length > 0 ? runbook : null}
          {pointed ? <RefreshAfterPoint group={fix.group} fleet={fleet} pointed={pointed} /> : null}
        </SpaceBetween>
      </Container>
    );
  }
  // A version already created from this very preview (same template, same source version): confirming step 1 again
  // sends the same client token, so AWS answers that version instead of making another.
  const earlier = attempts.find(
    (a) =>
      a.request?.step === "template" &&
      a.request.templateId === fix.templateId &&
      a.request.version === fix.sourceVersion &&
      a.outcome?.phase === "succeeded",
  )?.outcome;

  const plan = fix;
  const operator = me?.actor.role === "operator";
  const roleBlock = !me
    ? "Checking your role…"
    : operator
      ? undefined
      : `Needs the operator role; ${me.actor.id} is a viewer.`;
  const hasStep = (s: Step) => plan.steps.some((x) => x.step === s);
  const blocked: Record<Step, string | undefined> = {
    template: roleBlock ?? (done.template ? `Version ${done.template.version} was created.` : undefined),
    point:
      roleBlock ??
      (!hasStep("point")
        ? "The plan has no such step."
        : !done.template
          ? "Create the launch template version first."
          : done.point
            ? `The group launches version ${done.point.version}.`
            : undefined),
    refresh:
      roleBlock ??
      (!hasStep("refresh")
        ? "The plan has no such step."
        : !done.point
          ? "Point the group at the new version first."
          : done.refresh
            ? "The refresh has started."
            : undefined),
  };

  const run = async (step: Step) => {
    setBusy(true);
    setError(undefined);
    try {
      if (step === "template") {
        const r = await postGroupTemplate(plan.group, fleet, plan.token);
        setDone((d) => ({
          ...d,
          template: { version: r.version, pointToken: r.pointToken, refreshToken: r.refreshToken },
        }));
      } else if (step === "point" && done.template) {
        const r = await postGroupPoint(plan.group, fleet, done.template.version, done.template.pointToken);
        setDone((d) => ({ ...d, point: { version: r.version, refreshToken: r.refreshToken } }));
      } else if (step === "refresh" && done.point) {
        const r = await postGroupRefresh(plan.group, fleet, done.point.refreshToken);
        setDone((d) => ({ ...d, refresh: { instanceRefreshId: r.instanceRefreshId } }));
      }
      setOpen(undefined);
      // The exposure, the members and the audit are the server's: read them again.
      router.refresh();
    } catch (e) {
      setError({ step, text: failureText(e as ApiFailure) });
    } finally {
      setBusy(false);
    }
  };

  const version = done.template?.version ?? plan.expectedVersion;
  const what: Record<Step, { title: string; writes: React.ReactNode; button: string }> = {
    template: {
      title: "Create the launch template version",
      button: "Create version",
      writes: (
        <SpaceBetween size="s">
          <Box>
            One EC2 CreateLaunchTemplateVersion on <b>{plan.templateId}</b>, from version {plan.sourceVersion}, with{" "}
            {plan.kind === "image"
              ? `the image ${plan.launchTemplateData.ImageId ?? ""}`
              : "the user data of the preview (the check off)"}
            . Nothing else changes; the group keeps launching version {plan.sourceVersion} until step 2.
          </Box>
          <DiffView diff={plan.diff} label="What the new version changes" />
        </SpaceBetween>
      ),
    },
    point: {
      title: "Point the group at the new version",
      button: "Point group",
      writes: (
        <Box>
          One Auto Scaling UpdateAutoScalingGroup on <b>{plan.group}</b>: it launches <b>{plan.templateId}</b> version{" "}
          <b>{version}</b> from now on
          {plan.mixedOverrides?.length ? " (its mixed-instances overrides kept)" : ""}. Running instances are not
          touched.
        </Box>
      ),
    },
    refresh: {
      title: "Start an instance refresh",
      button: "Start refresh",
      writes: (
        <Box>
          One Auto Scaling StartInstanceRefresh on <b>{plan.group}</b> (minimum healthy 90%): its instances are
          replaced, a few at a time, by ones launched from version {done.point?.version ?? version}.
        </Box>
      ),
    },
  };

  const stepRow = (s: Step, n: number) => {
    const st = plan.steps.find((x) => x.step === s);
    if (!st) return null;
    const why = blocked[s];
    const finished =
      s === "template"
        ? done.template && `Created version ${done.template.version} of ${plan.templateId}.`
        : s === "point"
          ? done.point && `${plan.group} now launches version ${done.point.version}.`
          : done.refresh && `Instance refresh ${done.refresh.instanceRefreshId} started.`;
    return (
      <li key={s} data-testid={`fix-step-${s}`}>
        <SpaceBetween size="xxs">
          <Box variant="strong">{`${n}. ${cap(st.title, 300)}${st.optional ? " (optional)" : ""}`}</Box>
          <SpaceBetween size="xs" direction="horizontal" alignItems="center">
            <Button
              variant={s === "template" ? "primary" : "normal"}
              disabled={why !== undefined}
              disabledReason={why}
              onClick={() => setOpen(s)}
              data-testid={`fix-${s}`}
            >
              {what[s].button}
            </Button>
            {finished ? <StatusIndicator type="success">{finished}</StatusIndicator> : null}
          </SpaceBetween>
          {why && !finished ? (
            <Box variant="small" color="text-body-secondary" data-testid={`fix-${s}-blocked`}>
              {why}
            </Box>
          ) : null}
          {error?.step === s && !open ? (
            <Alert type="error" data-testid="fix-error">
              {cap(error.text, 600)}
            </Alert>
          ) : null}
        </SpaceBetween>
      </li>
    );
  };

  return (
    <Container
      data-testid="group-fix"
      header={
        <Header
          variant="h2"
          description="The permanent fix: a launch template version with the check off (or the recommended image), the group pointed at it, and optionally its instances replaced. Each write is confirmed on its own and audited."
        >
          Fix
        </Header>
      }
    >
      <SpaceBetween size="l">
        {runbook}
        {earlier && !done.template ? (
          <Alert type="info" data-testid="fix-earlier">
            {`${cap(earlier.actor, 200)} already created version ${earlier.version ?? "?"} of ${plan.templateId} from this preview; the group does not launch it yet. Confirming step 1 again answers that version (the same client token) instead of creating another; then point the group at it.`}
          </Alert>
        ) : null}
        <SpaceBetween size="xs">
          <Box variant="h3">Preview: what the new version changes</Box>
          <DiffView diff={plan.diff} label="User data diff" />
        </SpaceBetween>
        <SpaceBetween size="xs">
          <Box variant="h3">Apply from here</Box>
          <ol style={{ margin: 0, paddingInlineStart: 0, listStyle: "none", display: "grid", gap: 12 }}>
            {(["template", "point", "refresh"] as Step[]).map((s, i) => stepRow(s, i + 1))}
          </ol>
        </SpaceBetween>
      </SpaceBetween>
      {open ? (
        <Modal
          visible
          size="large"
          onDismiss={() => (busy ? undefined : setOpen(undefined))}
          header={what[open].title}
          data-testid="fix-modal"
          footer={
            <Box float="right">
              <SpaceBetween direction="horizontal" size="xs">
                <Button variant="link" disabled={busy} onClick={() => setOpen(undefined)}>
                  Cancel
                </Button>
                <Button variant="primary" loading={busy} onClick={() => run(open)} data-testid="fix-confirm">
                  {`Confirm: ${what[open].button.toLowerCase()}`}
                </Button>
              </SpaceBetween>
            </Box>
          }
        >
          <SpaceBetween size="s">
            {what[open].writes}
            {error?.step === open ? (
              <Alert type="error" data-testid="fix-error">
                {cap(error.text, 600)}
              </Alert>
            ) : null}
          </SpaceBetween>
        </Modal>
      ) : null}
    </Container>
  );
}
