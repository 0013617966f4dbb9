/** GetCommandInvocation: one invocation with the 24000 / 8000 capped outputs; "does not exist" for a moment first. */
import { AwsError, Checker } from "../protocol/errors.ts";
import { type Body, optString } from "../protocol/input.ts";
import type { CommandStore } from "./invocations.ts";
import { checkCommandId } from "./list-commands.ts";
import { getInvocationJson, PLUGIN_NAME } from "./render.ts";
import { INSTANCE_ID, INSTANCE_ID_SOURCE } from "./send-command.ts";

export function getCommandInvocation(body: Body, store: CommandStore): unknown {
  const commandId = optString(body, "CommandId");
  const instanceId = optString(body, "InstanceId");
  const pluginName = optString(body, "PluginName");

  const check = new Checker("ValidationException");
  check.required(commandId, "commandId");
  checkCommandId(check, commandId);
  check.required(instanceId, "instanceId");
  check.pattern(instanceId, INSTANCE_ID, INSTANCE_ID_SOURCE, "instanceId");
  check.minLength(pluginName, 4, "pluginName");
  check.throwIfAny();

  const cmd = store.get(commandId!);
  const inv = cmd?.invocations.find((i) => i.instanceId === instanceId);
  if (!cmd || !inv || inv.visibleAt > Date.now()) throw new AwsError("InvocationDoesNotExist", "");
  if (pluginName !== undefined && pluginName !== PLUGIN_NAME) throw new AwsError("InvalidPluginName", "");
  return getInvocationJson(cmd, inv);
}
