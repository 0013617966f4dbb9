/** The JSON shapes of Run Command results. Timestamps are epoch seconds (numbers), as awsJson1_1 requires. */
import { type Command, commandState, type Invocation } from "./invocations.ts";
import { pluginOutput, standardErrorContent, standardOutputContent } from "./output.ts";

export const PLUGIN_NAME = "aws:runShellScript";

export const epoch = (d: Date) => d.getTime() / 1000;

const notificationConfig = () => ({ NotificationArn: "", NotificationEvents: [], NotificationType: "" });
const cloudWatchOutputConfig = () => ({ CloudWatchLogGroupName: "", CloudWatchOutputEnabled: false });

export function commandJson(cmd: Command): Record<string, unknown> {
  const state = commandState(cmd);
  return {
    CommandId: cmd.commandId,
    DocumentName: cmd.documentName,
    DocumentVersion: cmd.documentVersion,
    Comment: cmd.comment,
    ExpiresAfter: epoch(new Date(cmd.requestedAt.getTime() + cmd.timeoutSeconds * 1000)),
    Parameters: cmd.parameters,
    InstanceIds: cmd.instanceIds,
    Targets: cmd.targets,
    RequestedDateTime: epoch(cmd.requestedAt),
    Status: state.status,
    StatusDetails: state.statusDetails,
    OutputS3Region: cmd.region,
    OutputS3BucketName: "",
    OutputS3KeyPrefix: "",
    MaxConcurrency: cmd.maxConcurrency,
    MaxErrors: cmd.maxErrors,
    TargetCount: state.targetCount,
    CompletedCount: state.completedCount,
    ErrorCount: state.errorCount,
    DeliveryTimedOutCount: state.deliveryTimedOutCount,
    ServiceRole: "",
    NotificationConfig: notificationConfig(),
    CloudWatchOutputConfig: cloudWatchOutputConfig(),
    TimeoutSeconds: cmd.timeoutSeconds,
  };
}

/** A plugin's status: the invocation's, except the states plugins do not have. */
function pluginStatus(inv: Invocation): string {
  if (inv.status === "Delayed") return "Pending";
  if (inv.status === "Cancelling") return "InProgress";
  return inv.status;
}

export function invocationJson(cmd: Command, inv: Invocation, details: boolean): Record<string, unknown> {
  const plugins = details
    ? [
        {
          Name: PLUGIN_NAME,
          Status: pluginStatus(inv),
          StatusDetails: inv.statusDetails,
          ResponseCode: inv.responseCode,
          ...(inv.startedAt ? { ResponseStartDateTime: epoch(inv.startedAt) } : {}),
          ...(inv.endedAt && inv.startedAt ? { ResponseFinishDateTime: epoch(inv.endedAt) } : {}),
          Output: pluginOutput(inv.stdout, inv.stderr),
          StandardOutputUrl: "",
          StandardErrorUrl: "",
          OutputS3Region: cmd.region,
          OutputS3BucketName: "",
          OutputS3KeyPrefix: "",
        },
      ]
    : [];
  return {
    CommandId: cmd.commandId,
    InstanceId: inv.instanceId,
    InstanceName: "",
    Comment: cmd.comment,
    DocumentName: cmd.documentName,
    DocumentVersion: cmd.documentVersion,
    RequestedDateTime: epoch(inv.requestedAt),
    Status: inv.status,
    StatusDetails: inv.statusDetails,
    TraceOutput: "",
    StandardOutputUrl: "",
    StandardErrorUrl: "",
    CommandPlugins: plugins,
    ServiceRole: "",
    NotificationConfig: notificationConfig(),
    CloudWatchOutputConfig: cloudWatchOutputConfig(),
  };
}

/** ISO 8601 duration of a run, as GetCommandInvocation's ExecutionElapsedTime ("PT0.512S"). */
function elapsed(start: Date, end: Date): string {
  return `PT${((end.getTime() - start.getTime()) / 1000).toFixed(3)}S`;
}

export function getInvocationJson(cmd: Command, inv: Invocation): Record<string, unknown> {
  return {
    CommandId: cmd.commandId,
    InstanceId: inv.instanceId,
    Comment: cmd.comment,
    DocumentName: cmd.documentName,
    DocumentVersion: cmd.documentVersion,
    PluginName: PLUGIN_NAME,
    ResponseCode: inv.responseCode,
    ExecutionStartDateTime: inv.startedAt ? inv.startedAt.toISOString() : "",
    ExecutionElapsedTime: inv.startedAt && inv.endedAt ? elapsed(inv.startedAt, inv.endedAt) : "",
    ExecutionEndDateTime: inv.startedAt && inv.endedAt ? inv.endedAt.toISOString() : "",
    Status: inv.status,
    StatusDetails: inv.statusDetails,
    StandardOutputContent: standardOutputContent(inv.stdout),
    StandardOutputUrl: "",
    StandardErrorContent: standardErrorContent(inv.stderr),
    StandardErrorUrl: "",
    CloudWatchOutputConfig: cloudWatchOutputConfig(),
  };
}
