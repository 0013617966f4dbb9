/** The SSM operations the simulator serves (awsJson1_1, target prefix AmazonSSM). */
import type { Fleet } from "../fleet-types.ts";
import type { Body } from "../protocol/input.ts";
import { cancelCommand } from "./cancel-command.ts";
import { describeInstanceInformation } from "./describe-instance-information.ts";
import { getCommandInvocation } from "./get-command-invocation.ts";
import { getParametersByPath } from "./get-parameters-by-path.ts";
import type { CommandStore } from "./invocations.ts";
import { listCommandInvocations } from "./list-command-invocations.ts";
import { listCommands } from "./list-commands.ts";
import { sendCommand } from "./send-command.ts";

/** The fleet of the caller's account and signing region, its commands, and that region. */
export type SsmContext = { fleet: Fleet; store: CommandStore; region: string };
export type SsmOperation = (body: Body, ctx: SsmContext) => unknown;

export const SSM_OPERATIONS: Record<string, SsmOperation> = {
  SendCommand: (b, c) => sendCommand(b, c.fleet, c.store),
  ListCommandInvocations: (b, c) => listCommandInvocations(b, c.store),
  GetCommandInvocation: (b, c) => getCommandInvocation(b, c.store),
  ListCommands: (b, c) => listCommands(b, c.store),
  CancelCommand: (b, c) => cancelCommand(b, c.store),
  DescribeInstanceInformation: (b, c) => describeInstanceInformation(b, c.fleet),
  GetParametersByPath: (b, c) => getParametersByPath(b, c.region),
};
