import type { ButtonDropdownProps } from "@cloudscape-design/components/button-dropdown";
import type { ConsoleFleet } from "@/lib/fleets/console-fleets.ts";
import { ALL_FLEETS, FLEET_PARAM, isAccountId } from "@/lib/fleets/fleet-ids.ts";

/** What the header needs of each fleet (the layout sends it; no credentials or roles). */
export type FleetOption = Pick<ConsoleFleet, "id" | "account" | "region" | "name" | "source" | "error">;

/** The header's fleet picker: its button's text and accessible name, and its menu. */
export type FleetPicker = { text: string; ariaLabel: string; items: ButtonDropdownProps.ItemOrGroup[] };

// Per-view parameters that mean nothing in another fleet's view (a page number, an opened instance).
const DROPPED = new Set(["page", "selected", FLEET_PARAM]);

/**
 * Where picking `fleet` (undefined: every fleet) leads from `pathname`: the same list with its filters, or the
 * section's list from a page of one thing (an instance or a scan of one fleet is not in another).
 */
export function pickHref(pathname: string, search: string, section: string, fleet: string | undefined): string {
  const keep = pathname === section ? new URLSearchParams(search) : new URLSearchParams();
  const q = new URLSearchParams();
  if (fleet) q.set(FLEET_PARAM, fleet);
  for (const [k, v] of keep) if (!DROPPED.has(k)) q.append(k, v);
  const s = q.toString();
  return s ? `${section}?${s}` : section;
}

const label = (f: FleetOption) => `${f.region} · ${f.account}`;

/**
 * One fleet (the default): the button says which account and region the numbers are, and its menu only says so again.
 * Several: every fleet or one, picked here and kept in the URL (`?fleet=`), each fleet's error beside it.
 */
export function fleetPicker(
  fleets: readonly FleetOption[],
  picked: string | undefined,
  href: (fleet: string | undefined) => string,
): FleetPicker {
  const configured = fleets.filter((f) => f.source !== "store");
  const only = fleets.length === 1 ? fleets[0] : undefined;
  // Every fleet is one fleet when one is configured (others may only have old results in the store).
  const current = picked ? fleets.find((f) => f.id === picked) : configured.length === 1 ? configured[0] : only;
  if (only && (!picked || picked === only.id)) {
    return {
      text: label(only),
      // The visible text first (an accessible name must contain it), then what it is.
      ariaLabel: `${label(only)}: the fleet in view (region, account)`,
      items: [
        { id: "account", text: `Account ${only.account}${only.name ? ` (${only.name})` : ""}`, disabled: true },
        { id: "region", text: `Region ${only.region}`, disabled: true },
        {
          id: "source",
          text:
            only.source === "file"
              ? "From the fleets file"
              : isAccountId(only.account)
                ? "Account from STS GetCallerIdentity"
                : "The endpoint answers no STS: named by its address",
          disabled: true,
        },
      ],
    };
  }
  const text = current
    ? label(current)
    : picked
      ? `${picked} (no such fleet)`
      : `All fleets (${configured.length || fleets.length})`;
  const item = (f: FleetOption): ButtonDropdownProps.Item => ({
    id: f.id,
    text: `${f.name ? `${f.name} · ` : ""}${label(f)}`,
    href: href(f.id),
    ...(f.id === picked ? { iconName: "check" as const } : {}),
    ...(f.error
      ? { secondaryText: `Cannot be read: ${f.error.code}` }
      : f.source === "store"
        ? { secondaryText: "Not configured now: stored results only" }
        : {}),
  });
  const stored = fleets.filter((f) => f.source === "store");
  return {
    text,
    ariaLabel: current || picked ? `${text}: the fleet in view (region, account)` : `${text}: the fleets in view`,
    items: [
      {
        id: ALL_FLEETS,
        text: "All fleets",
        secondaryText: "Every configured account and region",
        href: href(undefined),
        ...(picked ? {} : { iconName: "check" as const }),
      },
      { id: "configured", text: "Fleets", items: configured.map(item) },
      ...(stored.length ? [{ id: "stored", text: "In the database only", items: stored.map(item) }] : []),
    ],
  };
}
