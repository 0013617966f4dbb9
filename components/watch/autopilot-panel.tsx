"use client";

import Alert from "@cloudscape-design/components/alert";
import Container from "@cloudscape-design/components/container";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Spinner from "@cloudscape-design/components/spinner";
import { useCallback, useEffect, useState } from "react";
import { type ApiFailure, fetchAutopilot, fetchMe, type Me } from "@/components/api/client.ts";
import type { AutopilotStatusAnswer } from "@/lib/autopilot/status.ts";
import { AutopilotLog } from "./autopilot-log.tsx";
import { KillSwitch } from "./kill-switch.tsx";
import { PoliciesTable } from "./policies-table.tsx";
import { policyRows } from "./policy-rows.ts";

/** How often the panel reads autopilot's status again (automatic actions arrive by themselves). */
const REFRESH_MS = 10_000;

/** Autopilot on the Watch page: the kill switch, the policies and breakers per group, the recent entries. */
export function AutopilotPanel({ fleet }: { fleet?: string } = {}) {
  const [status, setStatus] = useState<AutopilotStatusAnswer>();
  const [me, setMe] = useState<Me>();
  const [error, setError] = useState<string>();

  // With several fleets and none picked the page asks for one: a question, not a failure.
  const [pickFleet, setPickFleet] = useState(false);
  const load = useCallback(
    async (signal?: AbortSignal) => {
      try {
        setStatus(await fetchAutopilot(signal, fleet));
        setError(undefined);
      } catch (e) {
        if (signal?.aborted) return;
        // With several fleets and none picked: policies are per fleet, so the page asks for one.
        const unnamed = (e as ApiFailure).details?.field === "fleet";
        setPickFleet(unnamed);
        setError(
          unnamed
            ? "Pick one fleet in the header: autopilot's policies are per fleet (a group name is only unique inside one)."
            : (e as Error).message.slice(0, 300),
        );
      }
    },
    [fleet],
  );

  useEffect(() => {
    const abort = new AbortController();
    fetchMe(abort.signal).then(setMe, () => {});
    void load(abort.signal);
    const t = setInterval(() => void load(abort.signal), REFRESH_MS);
    return () => {
      abort.abort();
      clearInterval(t);
    };
  }, [load]);

  const canChange = me?.actor.role === "operator";
  const refresh = () => void load();
  return (
    <SpaceBetween size="l">
      <Container
        data-testid="autopilot-panel"
        header={
          <Header description="What Fleet Doctor does by itself when the watcher finds a failure: off, notify, or restart lifecycle-404:ready instances, within each group's limits.">
            Autopilot
          </Header>
        }
      >
        {error ? <Alert type={pickFleet ? "info" : "error"}>{error}</Alert> : null}
        {status ? (
          <KillSwitch state={status.killSwitch} fleet={status.fleet} canChange={canChange} onChanged={refresh} />
        ) : (
          <Spinner />
        )}
      </Container>
      {status ? (
        <PoliciesTable rows={policyRows(status)} fleet={status.fleet} canChange={canChange} onChanged={refresh} />
      ) : null}
      {status ? <AutopilotLog entries={status.recent} /> : null}
    </SpaceBetween>
  );
}
