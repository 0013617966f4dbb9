/**
 * The fleet of a selection of rows, for a restart (one action is one fleet's): the fleet when every row names the
 * same one, `mixed` when they name several (nothing can be restarted together), neither for rows from before fleets.
 */
export function selectionFleet(rows: readonly { instanceId: string; fleet?: string }[]): {
  fleet?: string;
  mixed: boolean;
} {
  const fleets = new Set(rows.flatMap((r) => (r.fleet ? [r.fleet] : [])));
  if (fleets.size > 1) return { mixed: true };
  const [fleet] = fleets;
  return fleet ? { fleet, mixed: false } : { mixed: false };
}
