import { paginateListCommands, type SSMClient } from "@aws-sdk/client-ssm";

/**
 * The commands SSM holds with exactly this Comment, invoked after `after`: how a process taking a scan over finds a
 * SendCommand its dead owner may have had accepted without storing its id. One ListCommands listing for the
 * account and region (not one per instance: a scan may cover thousands).
 */
export async function findCommandsByComment(
  ssm: SSMClient,
  o: { after: Date; comment: string; signal?: AbortSignal },
): Promise<{ commandId: string; instanceIds: string[] }[]> {
  const found: { commandId: string; instanceIds: string[] }[] = [];
  const pages = paginateListCommands(
    { client: ssm, pageSize: 50 },
    { Filters: [{ key: "InvokedAfter", value: o.after.toISOString() }], MaxResults: 50 },
  );
  for await (const page of pages) {
    o.signal?.throwIfAborted();
    for (const c of page.Commands ?? []) {
      if (c.CommandId && c.Comment === o.comment.slice(0, 100))
        found.push({ commandId: c.CommandId, instanceIds: c.InstanceIds ?? [] });
    }
  }
  return found;
}
