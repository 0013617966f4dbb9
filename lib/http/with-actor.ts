import { checkOrigin, currentActor, requireRole } from "../auth/index.ts";
import type { Actor, Role } from "../auth/roles.ts";
import { handle } from "./respond.ts";

const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * A route handler's policy in one place: who is asking (401/403/503 from the identity check), the Origin check on
 * every mutation (CSRF), the least role the route needs, and every failure as the error envelope. Routes then
 * only parse, call a verb and answer.
 */
export function withActor<C = unknown>(
  role: Role,
  fn: (request: Request, actor: Actor, ctx: C) => Promise<Response> | Response,
) {
  // ctx is optional so that tests can call a route without params; Next.js always passes it.
  return handle(async (request: Request, ctx?: C) => {
    const actor = await currentActor(request);
    if (!READS.has(request.method)) checkOrigin(request);
    requireRole(actor, role);
    return fn(request, actor, ctx as C);
  });
}
