import {
  type AutoScalingClient,
  type AutoScalingGroup,
  DescribeAutoScalingGroupsCommand,
  paginateDescribeAutoScalingGroups,
  paginateDescribeAutoScalingInstances,
  paginateDescribeWarmPool,
} from "@aws-sdk/client-auto-scaling";
import {
  type InstanceInformation,
  type InstanceInformationStringFilter,
  paginateDescribeInstanceInformation,
  type SSMClient,
} from "@aws-sdk/client-ssm";
import { FleetDoctorError } from "../errors.ts";
import type { Target, Targets } from "../scan/types.ts";
import type { Clients } from "./clients.ts";
import { awsError } from "./errors.ts";
import { assertInstanceIds } from "./ids.ts";
import type { pacer } from "./pace.ts";

type Pace = ReturnType<typeof pacer>;

/** `membershipSource` is the call that said so: the evidence names it. */
export type Membership = { group: string; lifecycleState: string; inWarmPool: boolean; membershipSource: string };

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const PING = new Set(["Online", "ConnectionLost", "Inactive"]);

function toTarget(info: InstanceInformation): Target | undefined {
  if (!info.InstanceId) return undefined;
  const ping = info.PingStatus && PING.has(info.PingStatus) ? (info.PingStatus as Target["pingStatus"]) : "Unknown";
  return {
    instanceId: info.InstanceId,
    pingStatus: ping,
    ...(info.LastPingDateTime ? { lastPingAt: info.LastPingDateTime.toISOString() } : {}),
    ...(info.PlatformName ? { platform: info.PlatformName } : {}),
    ...(info.PlatformVersion ? { platformVersion: info.PlatformVersion } : {}),
    ...(info.ComputerName ? { computerName: info.ComputerName } : {}),
    ...(info.IPAddress ? { ipAddress: info.IPAddress } : {}),
  };
}

/** SSM's managed instances matching the filters, a page (up to 50) at a time; AWS failures named by operation. */
async function* managedInstancePages(
  ssm: SSMClient,
  filters: InstanceInformationStringFilter[],
  signal?: AbortSignal,
  pace?: Pace,
): AsyncGenerator<Target[]> {
  try {
    const pages = paginateDescribeInstanceInformation(
      { client: ssm, pageSize: 50 },
      { ...(filters.length ? { Filters: filters } : {}), MaxResults: 50 },
    );
    for await (const page of pages) {
      signal?.throwIfAborted();
      yield (page.InstanceInformationList ?? []).flatMap((i) => toTarget(i) ?? []);
      await pace?.take(signal); // the paginator asks for the next page only when the loop comes back
    }
  } catch (e) {
    if (signal?.aborted || e instanceof FleetDoctorError) throw e;
    throw awsError("DescribeInstanceInformation", e);
  }
}

/** SSM's managed instances matching the filters, every page. */
export async function describeManagedInstances(
  ssm: SSMClient,
  filters: InstanceInformationStringFilter[],
  signal?: AbortSignal,
): Promise<Target[]> {
  const out: Target[] = [];
  for await (const page of managedInstancePages(ssm, filters, signal)) out.push(...page);
  return out;
}

/** SSM's view of these ids (50 per call, the InstanceIds filter). Ids SSM does not know are absent. */
export async function describeManagedIds(ssm: SSMClient, ids: readonly string[], signal?: AbortSignal) {
  assertInstanceIds(ids);
  const out: Target[] = [];
  for (const batch of chunks([...new Set(ids)], 50)) {
    out.push(...(await describeManagedInstances(ssm, [{ Key: "InstanceIds", Values: batch }], signal)));
  }
  return out;
}

/** Auto Scaling membership of these ids, 50 per call; an id in no group is simply absent from the map. */
export async function describeMembership(
  autoscaling: AutoScalingClient,
  ids: readonly string[],
  signal?: AbortSignal,
): Promise<Map<string, Membership>> {
  const out = new Map<string, Membership>();
  try {
    for (const batch of chunks(ids, 50)) {
      const pages = paginateDescribeAutoScalingInstances(
        { client: autoscaling, pageSize: 50 },
        { InstanceIds: batch, MaxRecords: 50 },
      );
      for await (const page of pages) {
        signal?.throwIfAborted();
        for (const i of page.AutoScalingInstances ?? []) {
          if (!i.InstanceId || !i.AutoScalingGroupName) continue;
          const state = i.LifecycleState ?? "Unknown";
          out.set(i.InstanceId, {
            group: i.AutoScalingGroupName,
            lifecycleState: state,
            inWarmPool: state.startsWith("Warmed:"),
            membershipSource: "autoscaling:DescribeAutoScalingInstances",
          });
        }
      }
    }
  } catch (e) {
    if (signal?.aborted) throw e;
    throw awsError("DescribeAutoScalingInstances", e);
  }
  return out;
}

/** Every instance of one group, warm pool included (DescribeAutoScalingGroups leaves warm-pool instances out). */
export async function describeGroupMembers(
  autoscaling: AutoScalingClient,
  name: string,
  signal?: AbortSignal,
): Promise<Map<string, Membership>> {
  let group: AutoScalingGroup | undefined;
  try {
    const res = await autoscaling.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name], MaxRecords: 1 }),
      { abortSignal: signal },
    );
    group = res.AutoScalingGroups?.find((g) => g.AutoScalingGroupName === name);
  } catch (e) {
    if (signal?.aborted) throw e;
    throw awsError("DescribeAutoScalingGroups", e);
  }
  if (!group) throw new FleetDoctorError("NOT_FOUND", `No Auto Scaling group named ${name}`, { group: name });
  const out = new Map<string, Membership>();
  await addMembers(autoscaling, group, out, signal);
  return out;
}

/**
 * Every group's members, warm pools included: DescribeAutoScalingGroups in pages of 100 groups (each with all its
 * instances), plus DescribeWarmPool for the groups that have one. A handful of calls for a whole account, where
 * DescribeAutoScalingInstances needs one per 50 instances (200 at 10,000).
 */
export async function describeAllMembership(
  autoscaling: AutoScalingClient,
  signal?: AbortSignal,
): Promise<Map<string, Membership>> {
  const out = new Map<string, Membership>();
  const groups: AutoScalingGroup[] = [];
  try {
    const pages = paginateDescribeAutoScalingGroups({ client: autoscaling, pageSize: 100 }, { MaxRecords: 100 });
    for await (const page of pages) {
      signal?.throwIfAborted();
      groups.push(...(page.AutoScalingGroups ?? []));
    }
  } catch (e) {
    if (signal?.aborted) throw e;
    throw awsError("DescribeAutoScalingGroups", e);
  }
  for (const group of groups) await addMembers(autoscaling, group, out, signal);
  return out;
}

/** A group's instances into `out`; its warm pool's too (DescribeWarmPool, pages of 50) when it has one. */
async function addMembers(
  autoscaling: AutoScalingClient,
  group: AutoScalingGroup,
  out: Map<string, Membership>,
  signal?: AbortSignal,
): Promise<void> {
  const name = group.AutoScalingGroupName ?? "";
  for (const i of group.Instances ?? []) {
    if (!i.InstanceId) continue;
    const state = i.LifecycleState ?? "Unknown";
    out.set(i.InstanceId, {
      group: name,
      lifecycleState: state,
      inWarmPool: state.startsWith("Warmed:"),
      membershipSource: "autoscaling:DescribeAutoScalingGroups",
    });
  }
  if (!group.WarmPoolConfiguration) return;
  try {
    const pages = paginateDescribeWarmPool(
      { client: autoscaling, pageSize: 50 },
      { AutoScalingGroupName: name, MaxRecords: 50 },
    );
    for await (const page of pages) {
      signal?.throwIfAborted();
      for (const i of page.Instances ?? []) {
        if (!i.InstanceId) continue;
        out.set(i.InstanceId, {
          group: name,
          lifecycleState: i.LifecycleState ?? "Warmed:Unknown",
          inWarmPool: true,
          membershipSource: "autoscaling:DescribeWarmPool",
        });
      }
    }
  } catch (e) {
    if (signal?.aborted) throw e;
    throw awsError("DescribeWarmPool", e);
  }
}

/** A page of inventory: SSM's view of up to 50 instances, and their Auto Scaling membership (looked up alongside). */
export type InventoryPage = { targets: Target[]; membership: Promise<Map<string, Membership>> };

/** Up to this many ids are looked up by id (DescribeAutoScalingInstances, 50 a call); more, by reading every group. */
const BY_ID_LIMIT = 500;

/**
 * The inventory as it arrives, a page at a time, so a scan can send to the first instances while it is still
 * listing the rest (at 10,000 instances the listing alone takes tens of seconds under throttling). Membership is
 * read once per group (describeAllMembership) alongside the listing, without holding it up; a short list of ids
 * is looked up by id instead. `pace` spaces the listing's pages: under SSM's throttle, so that the SDK's adaptive
 * retry never slows the client that also sends and collects.
 */
export async function* inventoryPages(
  clients: Pick<Clients, "ssm" | "autoscaling">,
  targets: Targets,
  signal: AbortSignal | undefined,
  pace?: Pace,
): AsyncGenerator<InventoryPage> {
  const { ssm, autoscaling } = clients;
  let everyGroup: Promise<Map<string, Membership>> | undefined;
  const allMembership = () => {
    everyGroup ??= describeAllMembership(autoscaling, signal);
    everyGroup.catch(() => {}); // awaited by the scan where it is needed
    return everyGroup;
  };
  if (targets.kind === "all" || targets.kind === "tag") {
    const filters: InstanceInformationStringFilter[] =
      targets.kind === "tag" ? [{ Key: `tag:${targets.key}`, Values: [targets.value] }] : [];
    const membership = allMembership();
    for await (const found of managedInstancePages(ssm, filters, signal, pace)) {
      if (found.length > 0) yield { targets: found, membership };
    }
    return;
  }
  // By ids or by group: the ids are known first; SSM is asked about them 50 at a time.
  let ids: string[];
  let known: Promise<Map<string, Membership>> | undefined;
  if (targets.kind === "ids") {
    ids = [...new Set(targets.ids)];
    assertInstanceIds(ids);
    if (ids.length > BY_ID_LIMIT) known = allMembership();
  } else {
    const members = await describeGroupMembers(autoscaling, targets.name, signal);
    ids = [...members.keys()];
    known = Promise.resolve(members);
  }
  for (const batch of chunks(ids, 50)) {
    const found = new Map(
      (await describeManagedInstances(ssm, [{ Key: "InstanceIds", Values: batch }], signal)).map((t) => [
        t.instanceId,
        t,
      ]),
    );
    let membership = known;
    if (!membership) {
      membership = describeMembership(autoscaling, batch, signal);
      membership.catch(() => {}); // awaited by the scan where it is needed
    }
    yield {
      targets: batch.map((id) => found.get(id) ?? { instanceId: id, pingStatus: "Unknown" as const }),
      membership,
    };
  }
}
