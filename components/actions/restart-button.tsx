"use client";

import Box from "@cloudscape-design/components/box";
import ButtonDropdown, { type ButtonDropdownProps } from "@cloudscape-design/components/button-dropdown";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { useEffect, useMemo, useState } from "react";
import { fetchMe, fetchPreflight, type Me } from "@/components/api/client.ts";
import { cap } from "@/components/text/cap.ts";
import type { ActionKind, PreflightCheck } from "@/lib/actions/types.ts";
import { REMEDY } from "./remedies.ts";
import { RestartModal } from "./restart-modal.tsx";

type Checks = Record<ActionKind, PreflightCheck[]>;

/** Why nothing can be done, in one line, from the preflight and the role. */
function blocker(
  me: Me | undefined,
  checks: PreflightCheck[] | undefined,
  count: number,
  mixedFleets = false,
): string | undefined {
  if (count === 0) return "Select instances to restart.";
  if (mixedFleets) return "Select instances of one fleet: a restart acts in one account and region.";
  if (count > 50) return "At most 50 instances per action.";
  if (!me || !checks) return "Checking…";
  if (me.actor.role !== "operator") return `Restarting needs the operator role; ${me.actor.id} is a viewer.`;
  if (checks.some((c) => c.ok)) return undefined;
  const first = checks[0];
  return count === 1 && first?.reason ? first.reason : "A restart is not expected to work on any selected instance.";
}

/**
 * "Restart agent" for one instance or a selection: enabled only where the preflight passes (latest diagnosis
 * recent and a restart will work), with the reason shown where it does not. Its menu has the second remedy (turn
 * the warm-pool check off, for instances in no group) and a forced restart with a written reason.
 */
export function RestartButton({
  instanceIds,
  fleet,
  mixedFleets = false,
  variant = "normal",
}: {
  instanceIds: string[];
  /** The fleet of the instances shown (`<account>/<region>`): checked and restarted there, never elsewhere. */
  fleet?: string;
  /** The selection spans several fleets: nothing is checked or offered (selection-fleet.ts). */
  mixedFleets?: boolean;
  variant?: "normal" | "primary";
}) {
  const [me, setMe] = useState<Me>();
  const [checks, setChecks] = useState<Checks>();
  const [open, setOpen] = useState<{ kind: ActionKind; force: boolean }>();
  const key = instanceIds.join(",");
  const ids = useMemo(() => (key ? key.split(",") : []), [key]);

  useEffect(() => {
    const abort = new AbortController();
    fetchMe(abort.signal).then(setMe, () => {});
    return () => abort.abort();
  }, []);
  useEffect(() => {
    setChecks(undefined);
    if (ids.length === 0 || ids.length > 50 || mixedFleets) return;
    const abort = new AbortController();
    Promise.all([
      fetchPreflight("restart", ids, abort.signal, fleet),
      fetchPreflight("disable-check-and-restart", ids, abort.signal, fleet),
    ]).then(
      ([restart, disable]) => setChecks({ restart, "disable-check-and-restart": disable }),
      () => {},
    );
    return () => abort.abort();
  }, [ids, fleet, mixedFleets]);

  const why = blocker(me, checks?.restart, ids.length, mixedFleets);
  const operator = me?.actor.role === "operator";
  const disableOk = checks?.["disable-check-and-restart"].some((c) => c.ok) ?? false;
  const forceable = checks?.restart.some((c) => !c.ok && !c.hard) ?? false;
  const items: ButtonDropdownProps.Item[] = [
    {
      id: "disable-check-and-restart",
      text: REMEDY["disable-check-and-restart"].button,
      disabled: !operator || !disableOk,
      disabledReason: !operator
        ? "Needs the operator role."
        : (checks?.["disable-check-and-restart"][0]?.reason ?? "Not for these instances."),
      description:
        "For instances in no Auto Scaling group: sets ECS_WARM_POOLS_CHECK=false (backup kept), then restarts.",
    },
    {
      id: "force",
      text: "Force restart (with a reason)…",
      disabled: !operator || !forceable,
      disabledReason: !operator
        ? "Needs the operator role."
        : "Nothing to force: every instance passes, or cannot be reached.",
    },
  ];

  return (
    <SpaceBetween size="xxs">
      <ButtonDropdown
        variant={variant}
        mainAction={{
          text: REMEDY.restart.button,
          disabled: why !== undefined,
          disabledReason: why,
          onClick: () => setOpen({ kind: "restart", force: false }),
          ariaLabel: `${REMEDY.restart.button}${ids.length > 1 ? ` on ${ids.length} instances` : ""}`,
        }}
        items={items}
        ariaLabel="More remedies"
        onItemClick={(e) =>
          setOpen(
            e.detail.id === "force"
              ? { kind: "restart", force: true }
              : { kind: "disable-check-and-restart", force: false },
          )
        }
      />
      {why && ids.length > 0 && checks && (
        <Box variant="small" color="text-body-secondary" data-testid="restart-blocked-reason">
          {cap(why, 300)}
        </Box>
      )}
      {open && checks && (
        <RestartModal
          kind={open.kind}
          force={open.force}
          checks={checks[open.kind]}
          {...(fleet ? { fleet } : {})}
          onDismiss={() => setOpen(undefined)}
        />
      )}
    </SpaceBetween>
  );
}
