import { paginateListCommands, type SSMClient } from "@aws-sdk/client-ssm";
import { assertInstanceIds } from "./ids.ts";

/**
 * The commands SSM accepted for one instance since `after` whose comment is `comment`: how a process that took
 * over work learns whether a SendCommand its dead predecessor was making ever reached SSM (SendCommand has no
 * idempotency token, so asking is the only way to know without sending twice).
 */
export async function findSentCommands(
  ssm: SSMClient,
  o: { instanceId: string; after: Date; comment: string },
): Promise<{ commandId: string; instanceIds: string[] }[]> {
  assertInstanceIds([o.instanceId], "instanceId");
  const found: { commandId: string; instanceIds: string[] }[] = [];
  const pages = paginateListCommands(
    { client: ssm, pageSize: 50 },
    { InstanceId: o.instanceId, Filters: [{ key: "InvokedAfter", value: o.after.toISOString() }], MaxResults: 50 },
  );
  for await (const page of pages) {
    for (const c of page.Commands ?? []) {
      if (c.CommandId && c.Comment === o.comment.slice(0, 100))
        found.push({ commandId: c.CommandId, instanceIds: c.InstanceIds ?? [o.instanceId] });
    }
  }
  return found;
}
