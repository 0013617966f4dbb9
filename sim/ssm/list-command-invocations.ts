/** ListCommandInvocations: invocations of one command or of all, newest command first, with plugin Output on Details. */
import { type Body, optBool } from "../protocol/input.ts";
import { page, readToken } from "../protocol/paging.ts";
import type { Command, CommandStore, Invocation } from "./invocations.ts";
import { selectCommands } from "./list-commands.ts";
import { invocationJson } from "./render.ts";

export function listCommandInvocations(body: Body, store: CommandStore): unknown {
  const details = optBool(body, "Details") ?? false;
  const { commandId, instanceId, maxResults, nextToken, filters, commands } = selectCommands(body, store);
  const now = Date.now();
  const rows: [Command, Invocation][] = [];
  for (const cmd of commands) {
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
