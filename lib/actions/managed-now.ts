import type { Clients } from "../aws/clients.ts";
import { INSTANCE_ID } from "../aws/ids.ts";
import { describeManagedIds } from "../aws/inventory.ts";

/** What SSM says now about each instance it manages; an id it does not manage is absent. */
export type ManagedNow = ReadonlyMap<string, { pingStatus: string }>;

/**
 * One DescribeInstanceInformation for the instances of an action request, just before the preflight: an instance
 * SSM no longer manages (terminated, deregistered) or that it cannot reach now is refused, and nothing is sent to
 * it. Ids that are not instance ids are left for the request's validation to name.
 */
export async function managedNow(clients: Pick<Clients, "ssm">, ids: readonly string[]): Promise<ManagedNow> {
  const valid = [...new Set(ids.filter((id) => typeof id === "string" && INSTANCE_ID.test(id)))].slice(0, 200);
  if (valid.length === 0) return new Map();
  const targets = await describeManagedIds(clients.ssm, valid);
  return new Map(targets.map((t) => [t.instanceId, { pingStatus: t.pingStatus }]));
}

/** The ids of a request body, read loosely (the body is validated later, by requestAction). */
export function requestedIds(body: unknown): string[] {
  const ids = (body as { instanceIds?: unknown } | null)?.instanceIds;
  return Array.isArray(ids) ? ids.filter((i): i is string => typeof i === "string") : [];
}
