/** ListCommandInvocations: invocations of one command or of all, newest command first, with plugin Output on Details. */
import { AwsError, Checker } from "../protocol/errors.ts";
import { type Body, optBool, optInt, optObjectList, optString } from "../protocol/input.ts";
import { page, readToken } from "../protocol/paging.ts";
import type { Command, CommandStore, Invocation } from "./invocations.ts";
import { checkCommandId, commandFilters } from "./list-commands.ts";
import { invocationJson } from "./render.ts";
import { INSTANCE_ID, INSTANCE_ID_SOURCE } from "./send-command.ts";

export function listCommandInvocations(body: Body, store: CommandStore): unknown {
  const commandId = optString(body, "CommandId");
  const instanceId = optString(body, "InstanceId");
  const maxResults = optInt(body, "MaxResults");
  const nextToken = optString(body, "NextToken");
  const filters = optObjectList(body, "Filters");
  const details = optBool(body, "Details") ?? false;

  const check = new Checker("ValidationException");
  checkCommandId(check, commandId);
  check.pattern(instanceId, INSTANCE_ID, INSTANCE_ID_SOURCE, "instanceId");
  check.range(maxResults, 1, 50, "maxResults");
  check.maxLength(filters, 5, "filters");
  check.minLength(filters, 1, "filters");
  check.throwIfAny();

  let commands: Command[];
  if (commandId) {
    const cmd = store.get(commandId);
    if (!cmd) throw new AwsError("InvalidCommandId", "");
    commands = [cmd];
  } else {
    commands = store.list();
  }
  const matches = commandFilters(filters);
  const now = Date.now();
  const rows: [Command, Invocation][] = [];
  for (const cmd of commands) {
    if (!matches(cmd)) continue;
    for (const inv of cmd.invocations) {
      if (inv.visibleAt > now) continue;
      if (instanceId && inv.instanceId !== instanceId) continue;
      rows.push([cmd, inv]);
    }
  }
  const query = { op: "ListCommandInvocations", commandId, instanceId, filters, details };
  const offset = readToken(nextToken, query);
  const result = page(rows, offset, maxResults ?? 50, query);
  return {
    CommandInvocations: result.items.map(([cmd, inv]) => invocationJson(cmd, inv, details)),
    ...(result.nextToken ? { NextToken: result.nextToken } : {}),
  };
}
