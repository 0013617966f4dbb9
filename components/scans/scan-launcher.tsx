"use client";

import Alert from "@cloudscape-design/components/alert";
import Autosuggest from "@cloudscape-design/components/autosuggest";
import Button from "@cloudscape-design/components/button";
import Container from "@cloudscape-design/components/container";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import Input from "@cloudscape-design/components/input";
import SegmentedControl from "@cloudscape-design/components/segmented-control";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { type ApiFailure, startScan } from "@/components/api/client.ts";
import { useHydrated } from "@/components/shell/use-hydrated.ts";
import type { Targets } from "@/lib/scan/types.ts";
import { emptyProgress } from "./progress.ts";
import { ScanProgressBar } from "./scan-progress-bar.tsx";
import { useScanProgress } from "./use-scan-progress.ts";

type Kind = "all" | "tag" | "group";

/**
 * "Scan fleet": starts a scan (POST /api/scans) and follows it live. The page stays usable while it runs; a reload
 * picks the running scan up again because the server renders it into `runningScanId`.
 */
export function ScanLauncher({
  runningScanId,
  groups,
  fleet,
}: {
  runningScanId?: string;
  groups: string[];
  /** The fleet picked in the header: the scan reads it alone (undefined: every fleet). */
  fleet?: string;
}) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [kind, setKind] = useState<Kind>("all");
  const [tagKey, setTagKey] = useState("");
  const [tagValue, setTagValue] = useState("");
  const [group, setGroup] = useState("");
  const [scanId, setScanId] = useState<string | undefined>(runningScanId);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const initial = useRef(runningScanId ? emptyProgress(runningScanId) : undefined);
  const { progress, mode } = useScanProgress(scanId, {
    trackInstances: false,
    initial: scanId === runningScanId ? initial.current : undefined,
  });

  const running = progress?.status === "running";
  // When the scan ends, re-render the server parts (counts, charts, last scan) with its results.
  const finished = progress && progress.status !== "running" ? progress.status : undefined;
  useEffect(() => {
    if (finished) router.refresh();
  }, [finished, router]);

  const targets = (): Targets | string => {
    if (kind === "all") return { kind: "all" };
    if (kind === "tag") {
      if (!tagKey.trim()) return "Enter the tag key.";
      return { kind: "tag", key: tagKey.trim(), value: tagValue.trim() };
    }
    if (!group.trim()) return "Enter or choose a group.";
    return { kind: "group", name: group.trim() };
  };

  const start = async () => {
    const t = targets();
    if (typeof t === "string") {
      setError(t);
      return;
    }
    setError(undefined);
    setSubmitting(true);
    try {
      const answer = await startScan(t, fleet ? [fleet] : undefined);
      // A sweep over several fleets (the server reads a fleets file): the Scans page shows it, a row per fleet.
      if (!answer.scanId && answer.sweepId) router.push("/scans");
      else setScanId(answer.scanId);
    } catch (e) {
      setError((e as Partial<ApiFailure>).status ? (e as Error).message.slice(0, 300) : "Could not reach the server.");
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <Container
      header={
        <Header
          variant="h2"
          description="Probe every instance (or a tag or group) through Systems Manager and diagnose it. Read-only."
          actions={
            <Button
              variant="primary"
              onClick={start}
              loading={submitting}
              disabled={running || !hydrated}
              data-testid="scan-fleet"
            >
              Scan fleet
            </Button>
          }
        >
          Scan
        </Header>
      }
    >
      <SpaceBetween size="m">
        <SegmentedControl
          label="What to scan"
          selectedId={kind}
          onChange={(e) => setKind(e.detail.selectedId as Kind)}
          options={[
            { id: "all", text: "All instances" },
            { id: "tag", text: "By tag" },
            { id: "group", text: "By Auto Scaling group" },
          ]}
        />
        {kind === "tag" ? (
          <SpaceBetween direction="horizontal" size="s">
            <FormField label="Tag key">
              <Input value={tagKey} onChange={(e) => setTagKey(e.detail.value)} placeholder="e.g. cluster" />
            </FormField>
            <FormField label="Tag value">
              <Input value={tagValue} onChange={(e) => setTagValue(e.detail.value)} placeholder="e.g. prod" />
            </FormField>
          </SpaceBetween>
        ) : null}
        {kind === "group" ? (
          <FormField label="Auto Scaling group">
            <Autosuggest
              value={group}
              onChange={(e) => setGroup(e.detail.value)}
              options={groups.map((g) => ({ value: g }))}
              enteredTextLabel={(v) => `Use "${v}"`}
              placeholder="Group name"
              empty="No groups seen yet: type the name."
              ariaLabel="Auto Scaling group"
            />
          </FormField>
        ) : null}
        {error ? (
          <Alert type="error" header="The scan did not start">
            {error}
          </Alert>
        ) : null}
        {progress ? <ScanProgressBar progress={progress} mode={mode} /> : null}
      </SpaceBetween>
    </Container>
  );
}
