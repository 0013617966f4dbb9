import { LOCAL_MODE_BANNER } from "@/lib/auth/index.ts";
import { config } from "@/lib/config.ts";
import { json } from "@/lib/http/respond.ts";
import { withActor } from "@/lib/http/with-actor.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** Who the dashboard is talking to: the actor, the auth mode and the local-mode banner text when it applies. */
export const GET = withActor("viewer", async (_request, actor) => {
  const mode = config().auth;
  return json({
    actor: { id: actor.id, role: actor.role, ...(actor.email ? { email: actor.email } : {}) },
    auth: mode,
    ...(mode === "none" ? { banner: LOCAL_MODE_BANNER } : {}),
  });
});
