"use client";

import Box from "@cloudscape-design/components/box";
import ProgressBar from "@cloudscape-design/components/progress-bar";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import { AppLink as Link } from "@/components/shell/app-link.tsx";
import { count } from "@/components/text/plural.ts";
import { VerdictStatus } from "@/components/verdict/verdict-status.tsx";
import { VERDICT_ORDER } from "@/components/verdict/verdicts.ts";
import type { ScanProgress } from "./progress.ts";

const STATUS_TEXT = {
  running: "Scanning",
  completed: "Scan finished",
  partial: "Scan finished, partly",
  cancelled: "Scan cancelled",
  failed: "Scan failed",
  interrupted: "Scan interrupted",
} as const;

/** One scan's progress: how many instances have a result out of how many inventory found, and the verdicts so far. */
export function ScanProgressBar({
  progress,
  mode,
  showLink = true,
}: {
  progress: ScanProgress;
  mode?: "stream" | "polling" | "idle";
  showLink?: boolean;
}) {
  const total = progress.total;
  const value = total ? Math.min(100, Math.round((progress.done / total) * 100)) : 0;
  const running = progress.status === "running";
  const counts = VERDICT_ORDER.filter((v) => (progress.counts[v] ?? 0) > 0);
  return (
    <div data-testid="scan-progress" data-status={progress.status} data-done={progress.done}>
      <SpaceBetween size="xs">
        <ProgressBar
          value={running ? value : 100}
          status={running ? "in-progress" : progress.status === "completed" ? "success" : "error"}
          resultText={`${STATUS_TEXT[progress.status]}: ${progress.done}${total !== undefined ? ` of ${count(total, "instance")}` : ` ${progress.done === 1 ? "instance" : "instances"}`}`}
          label={STATUS_TEXT[progress.status]}
          description={
            total === undefined
              ? "Listing instances from Systems Manager and Auto Scaling…"
              : `${progress.done} of ${count(total, "instance")} ${progress.done === 1 ? "has" : "have"} a result${progress.offline ? ` (${progress.offline} offline)` : ""}${progress.note ? `; ${progress.note}` : ""}`
          }
          additionalInfo={mode === "polling" ? "Live updates unavailable: refreshing every few seconds." : undefined}
        />
        {counts.length > 0 ? (
          <SpaceBetween direction="horizontal" size="m">
            {counts.map((v) => (
              <span key={v}>
                <VerdictStatus verdict={v} />{" "}
                <Box variant="span" fontWeight="bold">
                  {progress.counts[v]}
                </Box>
              </span>
            ))}
          </SpaceBetween>
        ) : null}
        {showLink ? (
          <SpaceBetween direction="horizontal" size="xs">
            {running ? <StatusIndicator type="loading">Results arrive as instances answer</StatusIndicator> : null}
            <Link href={`/scans/${encodeURIComponent(progress.scanId)}`}>Open this scan</Link>
          </SpaceBetween>
        ) : null}
      </SpaceBetween>
    </div>
  );
}
