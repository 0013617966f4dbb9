/** The command line's fleet flags (--fleet, --account, --region), checked as the API checks its parameters. */
import { FleetDoctorError } from "../lib/errors.ts";
import { ALL_FLEETS, isAccountId, isFleetId, isRegionName } from "../lib/fleets/fleet-ids.ts";

export type FleetFlags = { fleets?: string[]; account?: string; region?: string };

const bad = (flag: string, value: string, expected: string) =>
  new FleetDoctorError("BAD_REQUEST", `--${flag}: '${value.slice(0, 60)}' is not ${expected}`, { field: flag });

/** `--fleet A,B` (or `all`), `--account 111111111111`, `--region eu-west-1`: a malformed value names its flag. */
export function fleetFlags(values: { fleet?: string; account?: string; region?: string }): FleetFlags {
  const out: FleetFlags = {};
  if (values.fleet !== undefined) {
    const fleets = values.fleet
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s && s !== ALL_FLEETS);
    const wrong = fleets.find((f) => !isFleetId(f));
    if (wrong !== undefined) throw bad("fleet", wrong, "<account>/<region> (e.g. 111111111111/us-east-1) or all");
    if (fleets.length) out.fleets = fleets;
  }
  if (values.account !== undefined) {
    if (!isAccountId(values.account)) throw bad("account", values.account, "a 12-digit account id");
    out.account = values.account;
  }
  if (values.region !== undefined) {
    if (!isRegionName(values.region)) throw bad("region", values.region, "a region such as us-east-1");
    out.region = values.region;
  }
  return out;
}
