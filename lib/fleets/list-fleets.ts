import { errorName } from "../aws/errors.ts";
import { defaultFleet } from "../aws/fleet-in-view.ts";
import type { Config } from "../config.ts";
import { allRegions } from "./all-regions.ts";
import { type FleetsSpec, type RoleRef, readFleetsFile, roleArn } from "./fleets-file.ts";
import { type OrganizationAccount, organizationAccounts } from "./organization-accounts.ts";
import type { FleetError, FleetTarget } from "./types.ts";

/** Every fleet Fleet Doctor reads, and those that could not be resolved (each reported for itself). */
export type FleetsView = { source: "default" | "file"; targets: FleetTarget[]; errors: FleetError[] };

/**
 * How long a resolved file is kept: pages and the watcher ask often, while accounts and regions change seldom.
 * A view with errors is kept shorter, so an Organizations outage or a missing permission heals soon after its fix.
 */
const KEEP_MS = 60_000;
const KEEP_WITH_ERRORS_MS = 15_000;
const resolved = new WeakMap<FleetsSpec, { until: number; view: Promise<FleetsView> }>();

/** An AWS failure in a FleetError's words: the code and a short message (AWS messages name ARNs, never secrets). */
function failure(e: unknown): { code: string; message: string } {
  const message = String((e as Error)?.message ?? e)
    .replace(/\s+/g, " ")
    .slice(0, 200);
  return { code: errorName(e), message };
}

function targetsOf(account: string, name: string | undefined, roles: RoleRef[], regions: string[]): FleetTarget[] {
  return regions.map((region) => ({
    id: `${account}/${region}`,
    account,
    region,
    ...(name ? { name } : {}),
    roles: roles.map((r) => ({
      roleArn: roleArn(r.role, account, region),
      ...(r.externalId ? { externalId: r.externalId } : {}),
    })),
  }));
}

/** The file's accounts and organization as fleets: Organizations and `regions: all` asked once each, when needed. */
async function resolve(spec: FleetsSpec, config: Config): Promise<FleetsView> {
  const targets: FleetTarget[] = [];
  const errors: FleetError[] = [];
  const org = spec.organization;
  const needsAll = spec.accounts.some((a) => a.regions === "all") || org?.regions === "all";
  const [regions, members] = await Promise.all([
    needsAll
      ? allRegions(config).then(
          (r) => ({ ok: r }),
          (e: unknown) => ({ error: failure(e) }),
        )
      : undefined,
    org
      ? organizationAccounts(org.ous, config).then(
          (r): { ok: OrganizationAccount[] } => ({ ok: r }),
          (e: unknown) => ({ error: failure(e) }),
        )
      : undefined,
  ]);
  /** The regions of one entry; an `all` that could not be listed is that account's error, not the others'. */
  const regionsOf = (account: string, r: string[] | "all"): string[] => {
    if (r !== "all") return r;
    if (regions && "ok" in regions) return regions.ok;
    const { code, message } = regions!.error;
    errors.push({
      fleet: `${account}/all`,
      account,
      region: "all",
      code,
      message: `The regions of account ${account} (regions: all) could not be listed through SSM: ${code}: ${message}`,
    });
    return [];
  };
  for (const a of spec.accounts)
    targets.push(...targetsOf(a.account, a.name, a.roles, regionsOf(a.account, a.regions)));
  if (org && members) {
    if ("ok" in members) {
      // An account listed in the file keeps the file's roles and regions.
      const skip = new Set([...org.exclude, ...spec.accounts.map((a) => a.account)]);
      const role: RoleRef = { role: org.role, ...(org.externalId ? { externalId: org.externalId } : {}) };
      for (const m of members.ok) {
        if (skip.has(m.account)) continue;
        targets.push(...targetsOf(m.account, m.name, [role], regionsOf(m.account, org.regions)));
      }
    } else {
      const { code, message } = members.error;
      const scope = org.ous.length ? `the accounts of ${org.ous.join(", ")}` : "the organization's accounts";
      errors.push({
        fleet: "organization",
        account: "",
        region: "",
        code,
        message: `Organizations could not list ${scope}: ${code}: ${message}`,
      });
    }
  }
  // One fleet once, whichever entry named it first.
  const seen = new Set<string>();
  return {
    source: "file",
    targets: targets.filter((t) => !seen.has(t.id) && seen.add(t.id)),
    errors: errors.filter((e) => !seen.has(e.fleet) && seen.add(e.fleet)),
  };
}

/**
 * The fleets to read. Without a fleets file (FLEET_DOCTOR_FLEETS), the one fleet of the default credentials and
 * region, named by STS once per process (lib/aws/fleet-in-view.ts). With one, its accounts times their regions, and
 * the organization's accounts; an account whose regions or whose organization could not be listed is an error of its
 * own, never a throw. The resolved view is kept for a minute (fifteen seconds when it has errors).
 */
export async function listFleets(config: Config): Promise<FleetsView> {
  const spec = config.fleets ?? (config.fleetsFile ? readFleetsFile(config.fleetsFile) : undefined);
  if (!spec) {
    const fleet = await defaultFleet(config);
    return {
      source: "default",
      targets: [{ id: fleet.id, account: fleet.account, region: fleet.region, roles: [] }],
      errors: [],
    };
  }
  const kept = resolved.get(spec);
  if (kept && kept.until > Date.now()) return kept.view;
  const view = resolve(spec, config);
  const entry = { until: Number.POSITIVE_INFINITY, view };
  resolved.set(spec, entry);
  view.then(
    (v) => {
      entry.until = Date.now() + (v.errors.length > 0 ? KEEP_WITH_ERRORS_MS : KEEP_MS);
    },
    () => resolved.delete(spec),
  );
  return view;
}
