import { z } from "zod";
import { FleetDoctorError } from "../errors.ts";
import { FLEET_ID_MESSAGE, isFleetId } from "../fleets/fleet-ids.ts";
import type { FleetsView } from "../fleets/list-fleets.ts";
import type { FleetError, FleetTarget } from "../fleets/types.ts";

/**
 * A fleet id as a request may name it: `<account>/<region>` (the account is 12 digits from STS, or an endpoint's
 * host when the endpoint has no STS: lib/aws/fleet.ts). Whether it is one Fleet Doctor reads is selectFleets'.
 */
export const fleetIdSchema = z.string().max(300).refine(isFleetId, FLEET_ID_MESSAGE);

/** `fleets` of POST /api/scans: fleet ids, or "all". */
// Not a z.union: its error would name `fleets` for an entry of the wrong type; each entry is named (fleets[i]).
const fleetIds = z.array(fleetIdSchema).min(1).max(1000);
export const fleetsRequestSchema = z.custom<"all" | string[]>().superRefine((v, ctx) => {
  if (v === "all") return;
  if (!Array.isArray(v)) {
    ctx.addIssue({ code: "custom", message: 'must be "all" or an array of fleet ids <account>/<region>' });
    return;
  }
  const r = fleetIds.safeParse(v);
  for (const issue of r.error?.issues ?? []) ctx.addIssue({ ...issue, code: "custom", path: issue.path });
});

/** What a sweep reads: the listed fleets asked for, and those asked for that are listed but could not be resolved. */
export type FleetSelection = { targets: FleetTarget[]; errors: FleetError[] };

/**
 * The fleets a sweep reads from the listing: every one for "all" (or nothing asked), else each id asked for, which
 * must be listed (BAD_REQUEST naming the entry otherwise: `field` is `fleets[i]`, as the API names it). A listed
 * fleet that could not be resolved (listFleets' errors) is kept as that fleet's error, never dropped.
 */
export function selectFleets(view: FleetsView, requested?: readonly string[] | "all"): FleetSelection {
  if (requested === undefined || requested === "all") {
    if (view.targets.length + view.errors.length === 0) {
      throw new FleetDoctorError("BAD_REQUEST", "fleets: the fleets file lists no fleet to scan", { field: "fleets" });
    }
    return { targets: view.targets, errors: view.errors };
  }
  const targets: FleetTarget[] = [];
  const errors: FleetError[] = [];
  const seen = new Set<string>();
  requested.forEach((id, i) => {
    if (seen.has(id)) return;
    seen.add(id);
    const target = view.targets.find((t) => t.id === id);
    const error = view.errors.find((e) => e.fleet === id);
    if (target) targets.push(target);
    else if (error) errors.push(error);
    else {
      throw new FleetDoctorError(
        "BAD_REQUEST",
        `fleets[${i}]: ${id} is not a fleet Fleet Doctor reads (listed: ${listed(view)})`,
        { field: `fleets[${i}]`, fleet: id },
      );
    }
  });
  return { targets, errors };
}

function listed(view: FleetsView): string {
  const ids = [...view.targets.map((t) => t.id), ...view.errors.map((e) => e.fleet)];
  return ids.length > 10 ? `${ids.slice(0, 10).join(", ")}, … ${ids.length - 10} more` : ids.join(", ") || "none";
}

const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/**
 * The CLI's choice among the listed fleets: `--fleet` ids (each must be listed), then only those in `--account` and
 * `--region`. BAD_REQUEST naming the flag for a malformed value, an unlisted fleet, or a choice that leaves none.
 */
export function pickFleets(
  view: FleetsView,
  pick: { fleets?: readonly string[]; account?: string; region?: string },
): FleetSelection {
  if (pick.account !== undefined && !ACCOUNT.test(pick.account)) {
    throw new FleetDoctorError("BAD_REQUEST", `--account: must be 12 digits, not ${JSON.stringify(pick.account)}`, {
      field: "account",
    });
  }
  if (pick.region !== undefined && !REGION.test(pick.region)) {
    throw new FleetDoctorError("BAD_REQUEST", `--region: must be a region such as us-east-1`, { field: "region" });
  }
  let chosen: FleetSelection = { targets: view.targets, errors: view.errors };
  if (pick.fleets && pick.fleets.length > 0) {
    pick.fleets.forEach((id, i) => {
      if (!fleetIdSchema.safeParse(id).success) {
        throw new FleetDoctorError("BAD_REQUEST", `--fleet ${id}: must be a fleet id <account>/<region>`, {
          field: `fleets[${i}]`,
        });
      }
    });
    try {
      chosen = selectFleets(view, pick.fleets);
    } catch (e) {
      const fleet = (e as FleetDoctorError).details?.fleet;
      throw new FleetDoctorError(
        "BAD_REQUEST",
        `--fleet ${fleet}: not a fleet Fleet Doctor reads (listed: ${listed(view)})`,
        {
          field: "fleet",
        },
      );
    }
  }
  const keep = (account: string, region: string) =>
    (pick.account === undefined || account === pick.account) && (pick.region === undefined || region === pick.region);
  const narrowed = {
    targets: chosen.targets.filter((t) => keep(t.account, t.region)),
    errors: chosen.errors.filter((e) => keep(e.account, e.region)),
  };
  if (narrowed.targets.length + narrowed.errors.length === 0) {
    const what = [pick.account && `account ${pick.account}`, pick.region && `region ${pick.region}`]
      .filter(Boolean)
      .join(" and ");
    throw new FleetDoctorError("BAD_REQUEST", `No listed fleet in ${what || "the choice"} (listed: ${listed(view)})`, {
      field: pick.account !== undefined ? "account" : "region",
    });
  }
  return narrowed;
}
