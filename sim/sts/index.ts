/** The STS operations the simulator serves (awsQuery, Version 2011-06-15). */
import type { QueryParams, XmlValue } from "../protocol/query.ts";
import { assumeRole, type StsContext } from "./assume-role.ts";
import { getCallerIdentity } from "./get-caller-identity.ts";

export type { StsContext } from "./assume-role.ts";
export { DEFAULT_ACCOUNT, STS_NAMESPACE, STS_VERSION } from "./get-caller-identity.ts";

export const STS_OPERATIONS: Record<string, (params: QueryParams, ctx: StsContext) => XmlValue> = {
  GetCallerIdentity: (_p, ctx) => getCallerIdentity(ctx.caller),
  AssumeRole: assumeRole,
};
