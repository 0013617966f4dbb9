/**
 * A restart's verification scan (run by lib/actions/run-action.ts under the actor `action:<id>`) belongs to its
 * action: it is shown there and in the instance's history, never as a fleet scan (the overview's "Last scan", the
 * Scans page). Client-safe.
 */
const PREFIX = "action:";

/** The action a scan verified, when it is a verification scan. */
export function verifiedAction(scan: { actor?: string }): string | undefined {
  return scan.actor?.startsWith(PREFIX) ? scan.actor.slice(PREFIX.length) : undefined;
}

export function isFleetScan(scan: { actor?: string }): boolean {
  return verifiedAction(scan) === undefined;
}
