/** ListCommands and the CommandFilter matching it shares with ListCommandInvocations. */
import { AwsError, Checker } from "../protocol/errors.ts";
import { type Body, optInt, optObjectList, optString } from "../protocol/input.ts";
import { page, readToken } from "../protocol/paging.ts";
import { type Command, type CommandStore, commandState } from "./invocations.ts";
import { commandJson } from "./render.ts";
import { INSTANCE_ID, INSTANCE_ID_SOURCE } from "./send-command.ts";

const FILTER_KEYS = ["InvokedAfter", "InvokedBefore", "Status", "ExecutionStage", "DocumentName"] as const;

export function checkCommandId(check: Checker, commandId: string | undefined, at = "commandId"): void {
  check.minLength(commandId, 36, at);
  check.maxLength(commandId, 36, at);
}

/** A predicate for CommandFilter lists; throws InvalidFilterKey / InvalidFilter for bad ones. */
export function commandFilters(filters: Body[] | undefined): (cmd: Command) => boolean {
  const preds: ((cmd: Command) => boolean)[] = [];
  for (const f of filters ?? []) {
    const key = f.key;
    const value = f.value;
    if (typeof key !== "string" || typeof value !== "string")
      throw new AwsError(
        "ValidationException",
        "1 validation error detected: Value null at 'filters.1.member.key' failed to satisfy constraint: Member must not be null",
      );
    if (!(FILTER_KEYS as readonly string[]).includes(key))
      throw new AwsError("InvalidFilterKey", `The filter key ${key} is not valid.`);
    if (key === "InvokedAfter" || key === "InvokedBefore") {
      const t = Date.parse(value);
      if (Number.isNaN(t))
        throw new AwsError("InvalidFilter", `The filter value ${value} is not a valid date for ${key}.`);
      preds.push(key === "InvokedAfter" ? (c) => c.requestedAt.getTime() >= t : (c) => c.requestedAt.getTime() <= t);
    } else if (key === "Status") {
      preds.push((c) => commandState(c).status === value);
    } else if (key === "DocumentName") {
      preds.push((c) => c.documentName === value);
    } else {
      preds.push((c) =>
        value === "Complete" ? commandState(c).completedCount === c.invocations.length : value === "Executing",
      );
    }
  }
  return (cmd) => preds.every((p) => p(cmd));
}

/**
 * The request members ListCommands and ListCommandInvocations share, validated as SSM does, and the commands they
 * select (one by id, else all) with the CommandFilters applied.
 */
export function selectCommands(body: Body, store: CommandStore) {
  const commandId = optString(body, "CommandId");
  const instanceId = optString(body, "InstanceId");
  const maxResults = optInt(body, "MaxResults");
  const nextToken = optString(body, "NextToken");
  const filters = optObjectList(body, "Filters");

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
  return { commandId, instanceId, maxResults, nextToken, filters, commands: commands.filter(matches) };
}

export function listCommands(body: Body, store: CommandStore): unknown {
  const selected = selectCommands(body, store);
  const { commandId, instanceId, maxResults, nextToken, filters } = selected;
  const commands = selected.commands.filter(
    (c) => !instanceId || c.invocations.some((i) => i.instanceId === instanceId),
  );
  const query = { op: "ListCommands", commandId, instanceId, filters };
  const result = page(commands, readToken(nextToken, query), maxResults ?? 50, query);
  return { Commands: result.items.map(commandJson), ...(result.nextToken ? { NextToken: result.nextToken } : {}) };
}
