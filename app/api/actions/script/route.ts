import { z } from "zod";
import { ACTION_KINDS } from "@/lib/actions/types.ts";
import { config } from "@/lib/config.ts";
import { json, readQuery } from "@/lib/http/respond.ts";
import { withActor } from "@/lib/http/with-actor.ts";
import { restartCommands } from "@/lib/probe/restart-script.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const query = z.object({ kind: z.enum(ACTION_KINDS) });

/** The exact `commands` a remedy sends through AWS-RunShellScript, for the confirmation dialog. */
export const GET = withActor("viewer", async (request) => {
  const { kind } = readQuery(request, query);
  return json({
    kind,
    document: "AWS-RunShellScript",
    commands: restartCommands(kind, { waitSeconds: config().restartWaitSeconds }),
  });
});
