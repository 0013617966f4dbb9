import type { Config } from "../config.ts";
import { config as loadConfig } from "../config.ts";
import { FleetDoctorError } from "../errors.ts";
import { verifyAlbToken } from "./alb-token.ts";
import { type Actor, hasRole, LOCAL_ACTOR, type Role, roleFor } from "./roles.ts";

export const OIDC_DATA_HEADER = "x-amzn-oidc-data";

function groupsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === "string");
  if (typeof value === "string") return value.split(/[,\s]+/).filter(Boolean);
  return [];
}

/**
 * Who sent this request. FLEET_DOCTOR_AUTH=none: the local operator. FLEET_DOCTOR_AUTH=alb: the user the load
 * balancer signed in, from its verified OIDC token, with the role the configured lists give them.
 * Throws UNAUTHORIZED (no or bad token) or FORBIDDEN (signed in, but on no list).
 */
export async function currentActor(request: Request, cfg: Config = loadConfig()): Promise<Actor> {
  if (cfg.auth === "none") return LOCAL_ACTOR;
  const token = request.headers.get(OIDC_DATA_HEADER);
  if (!token) throw new FleetDoctorError("UNAUTHORIZED", "Sign-in required: the request carries no OIDC token.");
  const claims = await verifyAlbToken(token, { albArn: cfg.alb.arn ?? "", keyUrl: cfg.alb.keyUrl });
  const email = typeof claims.email === "string" ? claims.email : undefined;
  const sub = typeof claims.sub === "string" ? claims.sub : undefined;
  const groups = groupsOf(claims[cfg.alb.groupsClaim]);
  const id = email ?? sub;
  if (!id) throw new FleetDoctorError("UNAUTHORIZED", "The OIDC token names no user (no email, no sub).");
  const role = roleFor({ email, groups }, cfg);
  if (!role) throw new FleetDoctorError("FORBIDDEN", `${id} has no role in Fleet Doctor.`);
  return { id, email, role, groups };
}

/** Throws FORBIDDEN unless the actor has at least `role`. */
export function requireRole(actor: Actor, role: Role): void {
  if (!hasRole(actor, role)) {
    throw new FleetDoctorError("FORBIDDEN", `This needs the ${role} role; ${actor.id} is a ${actor.role}.`, {
      required: role,
      role: actor.role,
    });
  }
}
