import type { Clients } from "../aws/clients.ts";
import { readEcsView } from "../aws/ecs.ts";
import { isTransient } from "../aws/errors.ts";
import { describeAllMembership, describeManagedInstances } from "../aws/inventory.ts";

/** One instance as a look sees it: SSM's ping, its Auto Scaling lifecycle state, its ECS registration. */
export type Seen = {
  instanceId: string;
  /** SSM's PingStatus; absent when SSM does not manage the instance. */
  pingStatus?: string;
  group?: string;
  lifecycleState?: string;
  /** Registered with ECS; absent when ECS could not be read (AccessDenied): registration is then not compared. */
  registered?: boolean;
};

export type Look = { seen: Seen[]; calls: number; durationMs: number; ecsNote?: string };

/**
 * A cheap look at the fleet: SSM's managed instances (DescribeInstanceInformation, 50 a page), every Auto Scaling
 * group with its instances and warm pool (DescribeAutoScalingGroups, 100 groups a page, plus DescribeWarmPool for
 * the groups with one), and ECS's container instances (two calls per 100). Read side by side; no call is made per
 * instance. `calls` is read from the counter on the look's own clients (lib/watch/count-calls.ts).
 * Throttling and other AWS failures throw (the loop backs off); ECS refusing access (an IAM policy without its
 * read calls) leaves registration unknown rather than stopping the watcher, as a scan goes on without ECS.
 */
export async function look(clients: Clients, counter: { readonly total: number }, signal?: AbortSignal): Promise<Look> {
  const started = Date.now();
  const before = counter.total;
  const [managed, membership, ecs] = await Promise.all([
    describeManagedInstances(clients.ssm, [], signal),
    describeAllMembership(clients.autoscaling, signal),
    readEcsView(clients.ecs, { ...(signal ? { signal } : {}) }).then(
      (view) => ({ view }),
      (e: unknown) => {
        if (signal?.aborted || isTransient((e as { cause?: unknown }).cause ?? e)) throw e;
        return { note: String((e as Error)?.message ?? e).slice(0, 300) };
      },
    ),
  ]);
  const byId = new Map<string, Seen>();
  const at = (id: string) => {
    const s = byId.get(id) ?? { instanceId: id };
    byId.set(id, s);
    return s;
  };
  for (const t of managed) at(t.instanceId).pingStatus = t.pingStatus;
  for (const [id, m] of membership) Object.assign(at(id), { group: m.group, lifecycleState: m.lifecycleState });
  if ("view" in ecs) {
    for (const id of ecs.view.byInstance.keys()) at(id);
    for (const s of byId.values()) s.registered = ecs.view.byInstance.has(s.instanceId);
  }
  return {
    seen: [...byId.values()].sort((a, b) => a.instanceId.localeCompare(b.instanceId)),
    calls: counter.total - before,
    durationMs: Date.now() - started,
    ...("note" in ecs ? { ecsNote: ecs.note } : {}),
  };
}
