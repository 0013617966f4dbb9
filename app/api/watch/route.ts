import { config } from "@/lib/config.ts";
import { json } from "@/lib/http/respond.ts";
import { withActor } from "@/lib/http/with-actor.ts";
import { getStore } from "@/lib/store/index.ts";
import { watchStatus } from "@/lib/watch/watch-status.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** The watcher's status (WatchStatus), the same from every replica: who leads it and what its last look found. */
export const GET = withActor("viewer", async () => json(await watchStatus(getStore(), config())));
