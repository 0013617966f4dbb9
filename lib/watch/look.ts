import type { Clients } from "../aws/clients.ts";
import { type EcsView, readEcsView } from "../aws/ecs.ts";
import { isTransient } from "../aws/errors.ts";
import { describeAllMembership, describeManagedInstances } from "../aws/inventory.ts";

/** One instance as a look sees it: SSM's ping, its Auto Scaling lifecycle state, its ECS registration. */
export type Seen = {
  instanceId: string;
  /** SSM's PingStatus; absent when SSM does not manage the instance (or, in a quick look, when it is not offline). */
  pingStatus?: string;
  /**
   * A quick look lists only SSM's offline instances (ConnectionLost, Inactive): an instance absent from that list
   * is online or not managed, so only a return from offline counts as a change of its ping.
   */
  offlineOnly?: boolean;
  group?: string;
  lifecycleState?: string;
  /** Registered with ECS; absent when ECS could not be read (AccessDenied): registration is then not compared. */
  registered?: boolean;
};

export type Look = { seen: Seen[]; calls: number; durationMs: number; full: boolean; ecsNote?: string };

/** SSM's ping statuses of an instance whose agent is not answering (the quick look's filter). */
const OFFLINE = ["ConnectionLost", "Inactive"];

/**
 * A cheap look at the fleet, with calls that each cover many instances and never one per instance: every Auto
 * Scaling group with its instances and warm pool (DescribeAutoScalingGroups, 100 groups a page, plus DescribeWarmPool
 * for the groups with one) and, in a quick look, SSM's offline instances only (DescribeInstanceInformation filtered
 * on PingStatus): a handful of calls whatever the fleet's size. A full look (`full`) lists every managed instance
 * (50 a page) and ECS's container instances (two calls per 100) too: it finds instances in no group and changes of
 * registration, and costs calls in proportion to the fleet, so the loop takes one every few looks.
 * `calls` is read from the counter on the look's own clients (lib/watch/count-calls.ts).
 * Throttling and other AWS failures throw (the loop backs off); ECS refusing access (an IAM policy without its
 * read calls) leaves registration unknown rather than stopping the watcher, as a scan goes on without ECS.
 */
export async function look(
  clients: Clients,
  counter: { readonly total: number },
  signal?: AbortSignal,
  full = true,
): Promise<Look> {
  const started = Date.now();
  const before = counter.total;
  type EcsRead = { view?: EcsView; note?: string };
  const [managed, membership, ecs] = await Promise.all([
    describeManagedInstances(clients.ssm, full ? [] : [{ Key: "PingStatus", Values: OFFLINE }], signal),
    describeAllMembership(clients.autoscaling, signal),
    full
      ? readEcsView(clients.ecs, { ...(signal ? { signal } : {}) }).then(
          (view): EcsRead => ({ view }),
          (e: unknown): EcsRead => {
            if (signal?.aborted || isTransient((e as { cause?: unknown }).cause ?? e)) throw e;
            return { note: String((e as Error)?.message ?? e).slice(0, 300) };
          },
        )
      : Promise.resolve<EcsRead>({}),
  ]);
  const byId = new Map<string, Seen>();
  const at = (id: string) => {
    const s = byId.get(id) ?? { instanceId: id };
    byId.set(id, s);
    return s;
  };
  for (const t of managed) at(t.instanceId).pingStatus = t.pingStatus;
  for (const [id, m] of membership) Object.assign(at(id), { group: m.group, lifecycleState: m.lifecycleState });
  if (!full) for (const s of byId.values()) if (s.pingStatus === undefined) s.offlineOnly = true;
  if (ecs.view) {
    for (const id of ecs.view.byInstance.keys()) at(id);
    for (const s of byId.values()) s.registered = ecs.view.byInstance.has(s.instanceId);
  }
  return {
    seen: [...byId.values()].sort((a, b) => a.instanceId.localeCompare(b.instanceId)),
    calls: counter.total - before,
    durationMs: Date.now() - started,
    full,
    ...(ecs.note ? { ecsNote: ecs.note } : {}),
  };
}
