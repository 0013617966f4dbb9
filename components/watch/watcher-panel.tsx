"use client";

import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Container from "@cloudscape-design/components/container";
import Header from "@cloudscape-design/components/header";
import KeyValuePairs from "@cloudscape-design/components/key-value-pairs";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import { useEffect, useState } from "react";
import { fetchWatch } from "@/components/api/client.ts";
import { AppLink } from "@/components/shell/app-link.tsx";
import { cap } from "@/components/text/cap.ts";
import { formatDuration } from "@/components/text/time.ts";
import { When } from "@/components/text/when.tsx";
import { VerdictStatus } from "@/components/verdict/verdict-status.tsx";
import { isVerdict } from "@/lib/diagnosis/catalogue.ts";
import type { WatchStatus } from "@/lib/watch/types.ts";
import { FleetWatchTable } from "./fleet-watch-table.tsx";

/** How often the panel asks again: a look is every 30 s by default, so a few seconds keeps it close. */
const REFRESH_MS = 3000;

/** The watcher as every replica sees it (GET /api/watch), refreshed every few seconds. */
export function WatcherPanel() {
  const [status, setStatus] = useState<WatchStatus | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    const stop = new AbortController();
    const load = () =>
      fetchWatch(stop.signal).then(
        (s) => {
          setStatus(s);
          setError(undefined);
        },
        (e: Error) => {
          if (!stop.signal.aborted) setError(e.message);
        },
      );
    void load();
    const t = setInterval(load, REFRESH_MS);
    return () => {
      stop.abort();
      clearInterval(t);
    };
  }, []);

  return (
    <Container
      data-testid="watcher-panel"
      header={
        <Header variant="h2" description="Looks at what changed in the fleet and probes only that, on one replica.">
          Watcher
        </Header>
      }
    >
      {error ? <Alert type="error">{cap(error, 300)}</Alert> : null}
      {status ? <Body status={status} /> : <Box color="text-body-secondary">Loading…</Box>}
    </Container>
  );
}

function Body({ status }: { status: WatchStatus }) {
  const look = status.lastLook;
  const found = look?.found;
  return (
    <SpaceBetween size="l">
      {status.behind ? (
        <Alert type="warning" header="The watcher is behind" data-testid="watch-behind">
          Since <When iso={status.behind.since} />: {cap(status.behind.reason, 300)}. Next try{" "}
          <When iso={status.behind.retryAt} />.
        </Alert>
      ) : null}
      <KeyValuePairs
        columns={4}
        items={[
          {
            label: "Leader",
            value: status.leader ? (
              <span data-testid="watch-leader">
                <StatusIndicator type="success">{cap(status.leader.owner, 80)}</StatusIndicator>
              </span>
            ) : (
              <StatusIndicator type={status.enabled ? "pending" : "stopped"}>
                {status.enabled ? "No replica leads it yet" : "Off on this server"}
              </StatusIndicator>
            ),
          },
          { label: "Interval", value: `${status.intervalSeconds} s` },
          {
            label: "Last look",
            value: look ? (
              <span data-testid="watch-last-look">
                <When iso={look.at} stacked /> in {formatDuration(look.durationMs)}
              </span>
            ) : (
              "None yet"
            ),
          },
          { label: "Next look", value: status.nextLookAt ? <When iso={status.nextLookAt} stacked /> : "-" },
        ]}
      />
      {look && found ? (
        <KeyValuePairs
          columns={4}
          items={[
            { label: "Instances seen", value: <span data-testid="watch-seen">{look.seen}</span> },
            {
              label: "AWS calls",
              value: (
                <>
                  <span data-testid="watch-calls">{look.calls}</span>
                  {look.full === undefined ? null : look.full ? " (a full look)" : " (a quick look)"}
                </>
              ),
            },
            {
              label: "Probed, by why",
              value: (
                <span data-testid="watch-found">
                  new {found.new}, changed {found.changed}, stale {found.stale}, transitional {found.transitional ?? 0}
                </span>
              ),
            },
            {
              label: "Probe scan",
              value: look.scanId ? (
                <SpaceBetween size="xxs">
                  <AppLink href={`/scans/${encodeURIComponent(look.scanId)}`}>{look.scanId}</AppLink>
                  {look.verdicts ? null : <StatusIndicator type="in-progress">Probing</StatusIndicator>}
                  {Object.entries(look.verdicts ?? {}).map(([v, n]) =>
                    isVerdict(v) ? (
                      <span key={v}>
                        <VerdictStatus verdict={v} /> {n}
                      </span>
                    ) : null,
                  )}
                </SpaceBetween>
              ) : look.skipped ? (
                <span data-testid="watch-skipped">Skipped: {cap(look.skipped.reason, 200)}</span>
              ) : found.new + found.changed + found.stale + (found.transitional ?? 0) > 0 ? (
                <StatusIndicator type="pending">Starting its probe</StatusIndicator>
              ) : (
                "Nothing needed a probe"
              ),
            },
          ]}
        />
      ) : null}
      {status.fleets ? <FleetWatchTable fleets={status.fleets} /> : null}
      <KeyValuePairs
        columns={3}
        items={[
          { label: "Full scans", value: status.fullScan.cron ? <code>{status.fullScan.cron}</code> : "Off" },
          {
            label: "Last full scan",
            value: status.fullScan.lastScanId ? (
              <AppLink href={`/scans/${encodeURIComponent(status.fullScan.lastScanId)}`}>
                <When iso={status.fullScan.lastAt} />
              </AppLink>
            ) : (
              "None yet"
            ),
          },
          { label: "Next full scan", value: status.fullScan.nextAt ? <When iso={status.fullScan.nextAt} /> : "-" },
        ]}
      />
    </SpaceBetween>
  );
}
