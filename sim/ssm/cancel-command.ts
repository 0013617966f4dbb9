/** CancelCommand: `{}` on success; pending invocations end Cancelled, running ones are killed first. */
import { AwsError, Checker } from "../protocol/errors.ts";
import { type Body, optString, optStringList } from "../protocol/input.ts";
import type { CommandStore } from "./invocations.ts";
import { checkCommandId } from "./list-commands.ts";
import { checkInstanceIdList } from "./send-command.ts";

export function cancelCommand(body: Body, store: CommandStore): unknown {
  const commandId = optString(body, "CommandId");
  const instanceIds = optStringList(body, "InstanceIds");
  const check = new Checker("ValidationException");
  check.required(commandId, "commandId");
  checkCommandId(check, commandId);
  checkInstanceIdList(check, instanceIds, "instanceIds");
  check.throwIfAny();

  if (instanceIds && new Set(instanceIds).size !== instanceIds.length) throw new AwsError("DuplicateInstanceId", "");
  const cmd = store.get(commandId!);
  if (!cmd) throw new AwsError("InvalidCommandId", "");
  const unknown = (instanceIds ?? []).filter((id) => !cmd.invocations.some((i) => i.instanceId === id));
  if (unknown.length > 0)
    throw new AwsError(
      "InvalidInstanceId",
      `Instances [[${unknown.join(", ")}]] are not part of command ${cmd.commandId}`,
    );
  store.cancel(cmd, instanceIds);
  return {};
}
