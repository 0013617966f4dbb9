import { z } from "zod";
import { ACTION_KINDS } from "@/lib/actions/types.ts";
import { currentActor } from "@/lib/auth/index.ts";
import { config } from "@/lib/config.ts";
import { handle, json, readQuery } from "@/lib/http/respond.ts";
import { restartCommands } from "@/lib/probe/restart-script.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const query = z.object({ kind: z.enum(ACTION_KINDS) });

/** The exact `commands` a remedy sends through AWS-RunShellScript, for the confirmation dialog. */
export const GET = handle(async (request: Request) => {
  await currentActor(request);
  const { kind } = readQuery(request, query);
  return json({
    kind,
    document: "AWS-RunShellScript",
    commands: restartCommands(kind, { waitSeconds: config().restartWaitSeconds }),
  });
});
