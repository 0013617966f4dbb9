/** Who is asking, and what they may do. Viewers read and scan; operators also act (restart). */
export type Role = "viewer" | "operator";

export type Actor = { id: string; email?: string; role: Role; groups?: string[] };

/** The actor of FLEET_DOCTOR_AUTH=none: the local demo, where everyone at the keyboard is an operator. */
export const LOCAL_ACTOR: Actor = { id: "local", role: "operator" };

export const LOCAL_MODE_BANNER = "Local mode: authentication is off and everyone is an operator.";

const RANK: Record<Role, number> = { viewer: 1, operator: 2 };

export function hasRole(actor: Actor, role: Role): boolean {
  return RANK[actor.role] >= RANK[role];
}

function matches(entries: string[], email: string | undefined, groups: string[]): boolean {
  return entries.some((entry) => {
    if (entry === "*") return true;
    if (entry.startsWith("group:")) return groups.includes(entry.slice("group:".length));
    return email !== undefined && entry === email.toLowerCase();
  });
}

/**
 * Maps an identity to a role from the configured lists. Anyone on neither list gets no role (undefined, so a 403):
 * an OIDC provider often admits a whole organisation or any account at all, and a restart tool should be opened
 * to people on purpose. `FLEET_DOCTOR_VIEWERS=*` opens reading to everyone the load balancer admits.
 */
export function roleFor(
  identity: { email?: string; groups: string[] },
  lists: { operators: string[]; viewers: string[] },
): Role | undefined {
  if (matches(lists.operators, identity.email, identity.groups)) return "operator";
  if (matches(lists.viewers, identity.email, identity.groups)) return "viewer";
  return undefined;
}
