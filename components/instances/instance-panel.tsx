"use client";

import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Link from "@cloudscape-design/components/link";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Spinner from "@cloudscape-design/components/spinner";
import { useEffect, useState } from "react";
import { RestartButton } from "@/components/actions/restart-button.tsx";
import { fetchInstanceView } from "@/components/api/client.ts";
import { InstanceDetail } from "@/components/instance/instance-detail.tsx";
import type { InstanceView } from "@/components/instance/types.ts";
import { instanceHref } from "@/lib/instances/instance-href.ts";

type State =
  | { id: string; status: "loading" }
  | { id: string; status: "ok"; view: InstanceView | null }
  | { id: string; status: "error" };

/** The split panel's content: one instance's detail, read from GET /api/instances/:id/view. */
export function InstancePanel({ instanceId, fleet }: { instanceId: string; fleet?: string }) {
  const [state, setState] = useState<State>({ id: instanceId, status: "loading" });

  useEffect(() => {
    let live = true;
    setState({ id: instanceId, status: "loading" });
    fetchInstanceView(instanceId, undefined, fleet).then(
      (view) => live && setState({ id: instanceId, status: "ok", view }),
      () => live && setState({ id: instanceId, status: "error" }),
    );
    return () => {
      live = false;
    };
  }, [instanceId, fleet]);

  const fullPage = (
    <Link href={instanceHref(instanceId, fleet)} variant="primary">
      Open the full page of {instanceId}
    </Link>
  );

  if (state.status === "loading" || state.id !== instanceId) {
    return (
      <Box padding="l" textAlign="center">
        <Spinner size="large" /> <Box variant="span">Loading {instanceId}…</Box>
      </Box>
    );
  }
  if (state.status === "error") {
    return (
      <Alert type="error" header="Could not load this instance">
        The server did not answer. Try again, or {fullPage}.
      </Alert>
    );
  }
  if (!state.view) {
    return (
      <Alert type="warning" header="No result for this instance">
        It has not been scanned, or its id is not valid.
      </Alert>
    );
  }
  return (
    <SpaceBetween size="m">
      <SpaceBetween direction="horizontal" size="m" alignItems="center">
        {fullPage}
        <RestartButton instanceIds={[instanceId]} {...(state.view.fleet ? { fleet: state.view.fleet } : {})} />
      </SpaceBetween>
      <InstanceDetail view={state.view} />
    </SpaceBetween>
  );
}
