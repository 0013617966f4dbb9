import { userInfo } from "node:os";
import { ZodError } from "zod";
import { actionContextFor, fleetActionContext } from "../../lib/actions/context.ts";
import { managedNow } from "../../lib/actions/managed-now.ts";
import { requestAction, resumeActions } from "../../lib/actions/request-action.ts";
import { type ActionContext, runAction } from "../../lib/actions/run-action.ts";
import type { ActionDetail } from "../../lib/actions/types.ts";
import type { Actor } from "../../lib/auth/roles.ts";
import { sleep } from "../../lib/aws/pace.ts";
import { config } from "../../lib/config.ts";
import { FleetDoctorError } from "../../lib/errors.ts";
import { listFleets } from "../../lib/fleets/list-fleets.ts";
import { pickFleet } from "../../lib/fleets/pick-fleet.ts";
import { openConfiguredStore } from "../../lib/store/index.ts";
import type { Command } from "../cli.ts";
import { commandFlags } from "../flags.ts";

const USAGE = `Usage: fleet-doctor restart i-... [i-...] [--fleet ACCOUNT/REGION] [--disable-check] [--force --reason TEXT] [--json]

Restarts the ECS agent on the instances whose latest diagnosis (at most FLEET_DOCTOR_RESTART_MAX_AGE seconds old)
says a restart will work, waits for each to register again or fail again, re-diagnoses it and records everything
in the audit log (FLEET_DOCTOR_DB). The same preflight as the dashboard: the others are refused with the reason.

  --fleet ID        the fleet of the instances (ACCOUNT/REGION, e.g. 111111111111/us-east-1); required when the
                    fleets file (FLEET_DOCTOR_FLEETS) lists several: an instance id is only unique inside one
  --disable-check   set ECS_WARM_POOLS_CHECK=false (dated backup kept), then restart; only for instances in no
                    Auto Scaling group
  --force           also restart instances the preflight refused (not unreachable ones, not group members
                    with --disable-check); needs --reason
  --reason TEXT     why (recorded; at least 10 characters with --force)
  --json            print the action with every outcome as JSON

Exit codes: 0 every instance registered again, 1 some did not or were refused, 2 bad input.`;

/** Invalid input (a zod error: a bad id, too many) is the user's to fix: exit 2, naming the field. */
async function asBadRequest<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ZodError) {
      const issue = e.issues[0]!;
      throw new FleetDoctorError("BAD_REQUEST", `${issue.path.join(".") || "input"}: ${issue.message}`);
    }
    throw e;
  }
}

/** Waits for an action another process drives (a joined restart) to finish. */
async function waitFor(actionId: string, ctx: ActionContext): Promise<void> {
  while ((await ctx.store.actions.get(actionId))?.status === "running") await sleep(1000);
}

function print(detail: ActionDetail): void {
  console.log(`action ${detail.id}: ${detail.status}`);
  const outcomes = new Map(detail.outcomes.map((o) => [o.instanceId, o]));
  for (const t of detail.targets) {
    const o = outcomes.get(t.instanceId);
    if (t.decision === "refused") console.log(`  ${t.instanceId}  refused: ${t.reason}`);
    else if (t.decision === "joined") console.log(`  ${t.instanceId}  already being restarted by ${t.joinedAction}`);
    else if (o) {
      const after = o.verdictAfter ? `, now ${o.verdictAfter}` : "";
      console.log(`  ${t.instanceId}  ${o.outcome}${after}: ${o.message ?? ""}`);
      if (o.failureLine) console.log(`      ${o.failureLine.slice(0, 300)}`);
    } else console.log(`  ${t.instanceId}  no outcome`);
  }
}

export async function run(argv: string[]): Promise<number> {
  const flags = commandFlags(
    argv,
    {
      fleet: { type: "string" },
      "disable-check": { type: "boolean", default: false },
      force: { type: "boolean", default: false },
      reason: { type: "string" },
    },
    USAGE,
    true,
  );
  if (!flags) return 0;
  const { values, positionals } = flags;
  if (positionals.length === 0) throw new FleetDoctorError("BAD_REQUEST", "Name at least one instance id.");
  const cfg = config();
  // The person at this shell holds the AWS credentials already: they act as an operator, under their login name.
  const actor: Actor = { id: `cli:${userInfo().username}`, role: "operator" };
  // The fleet of the instances, with its own clients (its assumed role): before the store opens, so a missing or bad
  // --fleet exits 2 at once.
  const target = pickFleet(values.fleet, await listFleets(cfg), "--fleet");
  const store = openConfiguredStore(cfg);
  const ctx = fleetActionContext(target, actor.id, store, cfg);
  try {
    // Finish what a crashed process left (collect, never resend) so its instances are free again; each action with
    // its own fleet's clients.
    const resumed = await resumeActions(ctx, (a) => actionContextFor(a, store, cfg));
    // What SSM manages now: a vanished instance is refused by the preflight, never sent to.
    const managed = await managedNow(ctx.clients, positionals);
    const answer = await asBadRequest(() =>
      requestAction(
        {
          kind: values["disable-check"] ? "disable-check-and-restart" : "restart",
          instanceIds: positionals,
          ...(values.force ? { force: true } : {}),
          ...(values.reason ? { reason: values.reason } : {}),
        },
        actor,
        { ...ctx, managed, fleet: target.id },
      ),
    );
    const ids = new Set([answer.actionId, ...answer.joined.map((j) => j.actionId)]);
    if (answer.created) {
      for await (const e of runAction(answer.actionId, ctx)) {
        if (values.json) continue;
        if (e.type === "batch-sent") console.error(`sent ${e.commandId} to ${e.instanceIds.join(", ")}`);
        if (e.type === "instance-restarted")
          console.error(`${e.instanceId}: ${e.outcome}${e.message ? ` (${e.message})` : ""}`);
        if (e.type === "rediagnosing") console.error(`probing ${e.instanceIds.join(", ")} again…`);
      }
    }
    for (const id of ids) if (id !== answer.actionId || !answer.created) await waitFor(id, ctx);
    await Promise.all(resumed.map((r) => r.done));
    const actions = store.actions;
    const detail = (await actions.detail(answer.actionId))!;
    const joinedDetails = (await Promise.all(answer.joined.map((j) => actions.detail(j.actionId))))
      .filter((d) => d !== undefined)
      .filter((d) => d.id !== detail.id);
    if (values.json) console.log(JSON.stringify({ ...answer, action: detail, joinedActions: joinedDetails }, null, 2));
    else {
      print(detail);
      for (const d of joinedDetails) print(d);
    }
    const all = [detail, ...joinedDetails].flatMap((d) => d.outcomes.filter((o) => positionals.includes(o.instanceId)));
    const ok = answer.refused.length === 0 && all.length > 0 && all.every((o) => o.outcome === "registered");
    return ok ? 0 : 1;
  } finally {
    await store.close();
  }
}

export default { run } satisfies Command;
