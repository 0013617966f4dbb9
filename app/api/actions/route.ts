import { z } from "zod";
import { defaultActionContext, ensureResumed, fleetActionContext } from "@/lib/actions/context.ts";
import { managedNow, requestedIds } from "@/lib/actions/managed-now.ts";
import { requestAction, startInBackground } from "@/lib/actions/request-action.ts";
import { INSTANCE_ID } from "@/lib/aws/ids.ts";
import { config } from "@/lib/config.ts";
import { FleetDoctorError } from "@/lib/errors.ts";
import { FLEET_ID_MESSAGE, isFleetId } from "@/lib/fleets/fleet-ids.ts";
import { listFleets } from "@/lib/fleets/list-fleets.ts";
import { pickFleet } from "@/lib/fleets/pick-fleet.ts";
import { json, readJson, readQuery } from "@/lib/http/respond.ts";
import { withActor } from "@/lib/http/with-actor.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * Restarts agents (or turns the warm-pool check off and restarts): operator only, same-origin only. Body
 * `{kind: "restart" | "disable-check-and-restart", fleet?: "<account>/<region>", instanceIds: string[1..50], force?,
 * reason?, maxConcurrency?, maxErrors?}`: `fleet` is required when several fleets are configured (an instance id is
 * only unique inside one; 400 naming it), and the restart runs with that fleet's clients (its assumed role). 202 `{actionId, accepted, refused, joined}` when something will be sent; 200 with `created: false`
 * when every instance was already being restarted (the caller joins that action); 422 when the preflight refused
 * them all (the refusal is recorded too). Nothing reaches SSM before every check has passed.
 */
export const POST = withActor("operator", async (request, actor) => {
  await ensureResumed();
  const body = await readJson(request, z.unknown());
  const target = pickFleet((body as { fleet?: unknown } | null)?.fleet, await listFleets(config()));
  const ctx = fleetActionContext(target, actor.id);
  // What SSM manages now: a vanished instance is refused by the preflight, never sent to.
  const managed = await managedNow(ctx.clients, requestedIds(body));
  const answer = await requestAction(body, actor, { ...ctx, managed, fleet: target.id });
  if (answer.created && answer.accepted.length > 0) {
    void startInBackground(answer.actionId, ctx);
    return json(answer, 202, { location: `/api/actions/${answer.actionId}` });
  }
  if (!answer.created) return json(answer, 200);
  // Recorded as refused; still drive it so the audit shows it finished.
  void startInBackground(answer.actionId, ctx);
  throw new FleetDoctorError(
    "UNPROCESSABLE",
    `Refused: ${answer.refused.map((r) => `${r.instanceId}: ${r.reason}`).join(" ")}`.slice(0, 2000),
    { actionId: answer.actionId, refused: answer.refused },
  );
});

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).optional(),
  instanceId: z.string().regex(INSTANCE_ID).optional(),
  fleet: z.string().max(300).refine(isFleetId, FLEET_ID_MESSAGE).optional(),
});

/** Actions, newest first (`?instanceId=` for one instance's, `?fleet=` for one fleet's). */
export const GET = withActor("viewer", async (request) => {
  await ensureResumed();
  const q = readQuery(request, listQuery);
  const { store } = defaultActionContext();
  return json({
    actions: await store.actions.list({
      limit: q.limit ?? 50,
      ...(q.instanceId ? { instanceId: q.instanceId } : {}),
      ...(q.fleet ? { fleet: q.fleet } : {}),
    }),
  });
});
