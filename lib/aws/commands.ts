import {
  CancelCommandCommand,
  type CommandInvocation,
  GetCommandInvocationCommand,
  paginateListCommandInvocations,
  SendCommandCommand,
  type SSMClient,
} from "@aws-sdk/client-ssm";
import { assertInstanceIds } from "./ids.ts";

export const RUN_SHELL = "AWS-RunShellScript";
export const RUN_SHELL_PLUGIN = "aws:runShellScript";

export type SendOptions = {
  instanceIds: string[];
  commands: string[];
  /** SendCommand TimeoutSeconds: how long SSM may take to deliver (>= 30). */
  deliveryTimeoutSeconds: number;
  /** AWS-RunShellScript executionTimeout. */
  executionTimeoutSeconds: number;
  comment: string;
  signal?: AbortSignal;
};

/** Runs shell commands on at most 50 instances with one SendCommand; returns the command id. */
export async function sendShellCommand(ssm: SSMClient, o: SendOptions): Promise<string> {
  if (o.instanceIds.length === 0 || o.instanceIds.length > 50)
    throw new RangeError("1..50 instance ids per SendCommand");
  assertInstanceIds(o.instanceIds, "instanceIds");
  const res = await ssm.send(
    new SendCommandCommand({
      DocumentName: RUN_SHELL,
      InstanceIds: o.instanceIds,
      Parameters: { commands: o.commands, executionTimeout: [String(o.executionTimeoutSeconds)] },
      TimeoutSeconds: Math.max(30, o.deliveryTimeoutSeconds),
      // Every instance of the batch at once, and one failing instance must not stop the others.
      MaxConcurrency: String(o.instanceIds.length),
      MaxErrors: String(o.instanceIds.length),
      Comment: o.comment.slice(0, 100),
    }),
    { abortSignal: o.signal },
  );
  const id = res.Command?.CommandId;
  if (!id) throw new Error("SendCommand returned no CommandId");
  return id;
}

/** Every invocation of a command with plugin details (Output capped at 2500 characters), pages of 50. */
export async function listInvocations(ssm: SSMClient, commandId: string, signal?: AbortSignal) {
  const out: CommandInvocation[] = [];
  const pages = paginateListCommandInvocations(
    { client: ssm, pageSize: 50 },
    { CommandId: commandId, Details: true, MaxResults: 50 },
  );
  for await (const page of pages) {
    signal?.throwIfAborted();
    out.push(...(page.CommandInvocations ?? []));
  }
  return out;
}

/** The full output of one invocation (stdout up to 24,000 and stderr up to 8,000 characters). */
export async function getInvocation(ssm: SSMClient, commandId: string, instanceId: string, signal?: AbortSignal) {
  return ssm.send(
    new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId, PluginName: RUN_SHELL_PLUGIN }),
    { abortSignal: signal },
  );
}

export async function cancelCommand(ssm: SSMClient, commandId: string, instanceIds?: string[]) {
  await ssm.send(
    new CancelCommandCommand({ CommandId: commandId, ...(instanceIds ? { InstanceIds: instanceIds } : {}) }),
  );
}
