import { splitFleetId } from "./fleet-ids.ts";
import type { FleetReadError } from "./fleet-read-errors.ts";
import type { FleetsView } from "./list-fleets.ts";

/**
 * One fleet as the console lists it (the header's picker, the overview's table, GET /api/fleets, `fleet-doctor
 * fleets`): the fleets Fleet Doctor reads now, and those only the store still has results of.
 */
export type ConsoleFleet = {
  id: string;
  account: string;
  region: string;
  /** The account's name, when the fleets file or Organizations gives one. */
  name?: string;
  /** Where it comes from: the default credentials, the fleets file, or only results in the store. */
  source: "default" | "file" | "store";
  /**
   * Why the fleet cannot be read: it could not be resolved (listFleets), or the last sweep that reached it could not
   * enter or read it (its role cannot be assumed, ...), with when. For that fleet only.
   */
  error?: { code: string; message: string; at?: string };
  /** Instances with a latest result in the store (gone ones not counted). */
  instances: number;
};

/**
 * The configured fleets (targets, then those with an error, in the order listFleets gives them) followed by the
 * fleets only the store has, each once. A fleet both configured and in error keeps its error; a configured fleet
 * the last sweep could not read has that error (lib/fleets/fleet-read-errors.ts).
 */
export function consoleFleets(
  view: FleetsView,
  inStore: readonly { fleet: string; instances: number }[],
  readErrors: ReadonlyMap<string, FleetReadError> = new Map(),
): ConsoleFleet[] {
  const counts = new Map(inStore.map((f) => [f.fleet, f.instances]));
  const out = new Map<string, ConsoleFleet>();
  for (const t of view.targets) {
    const read = readErrors.get(t.id);
    out.set(t.id, {
      id: t.id,
      account: t.account,
      region: t.region,
      ...(t.name ? { name: t.name } : {}),
      source: view.source,
      ...(read ? { error: read } : {}),
      instances: counts.get(t.id) ?? 0,
    });
  }
  for (const e of view.errors) {
    const known = out.get(e.fleet);
    const error = { code: e.code, message: e.message };
    if (known) known.error = error;
    else
      out.set(e.fleet, {
        id: e.fleet,
        account: e.account,
        region: e.region,
        source: view.source,
        error,
        instances: counts.get(e.fleet) ?? 0,
      });
  }
  for (const f of inStore) {
    if (out.has(f.fleet)) continue;
    out.set(f.fleet, { id: f.fleet, ...splitFleetId(f.fleet), source: "store", instances: f.instances });
  }
  return [...out.values()];
}

/**
 * The fleets a view covers: the one picked, or (every fleet) the configured ones. Fleets only the store has are
 * shown when picked, not counted in "every fleet": they are not what this console reads now (another configuration,
 * the CLI pointed elsewhere), so their old results never mix into today's counts.
 */
export function fleetsInScope(fleets: readonly ConsoleFleet[], picked: string | undefined): string[] {
  if (picked) return [picked];
  return fleets.filter((f) => f.source !== "store").map((f) => f.id);
}

/** A listing's filter for those fleets: one fleet as `fleet` (as before fleets were many), several as `fleets`. */
export function scopeFilter(ids: readonly string[]): { fleet: string } | { fleets: string[] } {
  return ids.length === 1 ? { fleet: ids[0]! } : { fleets: [...ids] };
}
