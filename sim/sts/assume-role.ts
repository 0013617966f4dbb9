/**
 * STS AssumeRole: credentials for a role of another account (or this one), when the role exists, trusts the
 * caller (its account, or for role chaining the caller's role) and gets the ExternalId it requires. Anything else
 * is AccessDenied with real STS's message, which does not say which of those failed.
 */
import type { Directory, DirectoryRole } from "../fleet-types.ts";
import type { Caller } from "../protocol/caller.ts";
import { AwsError, Checker } from "../protocol/errors.ts";
import type { QueryParams, XmlValue } from "../protocol/query.ts";
import type { Sessions } from "./sessions.ts";

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
const SESSION_NAME = /^[\w+=,.@-]*$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]*$/;
/** Role chaining caps a session at one hour, whatever the role allows. */
const CHAINED_MAX_SECONDS = 3600;

export type StsContext = { caller: Caller; directory?: Directory; sessions: Sessions; now?: number };

function trusts(role: DirectoryRole, caller: Caller): boolean {
  return role.trustedBy.some(
    (p) =>
      p === caller.account ||
      p === `arn:aws:iam::${caller.account}:root` ||
      (caller.session !== undefined && p === caller.session.roleArn),
  );
}

export function assumeRole(params: QueryParams, ctx: StsContext): XmlValue {
  const roleArn = params.str("RoleArn");
  const sessionName = params.str("RoleSessionName");
  const externalId = params.str("ExternalId");
  const duration = params.int("DurationSeconds");
  const check = new Checker("ValidationError");
  check.required(roleArn, "roleArn");
  check.minLength(roleArn, 20, "roleArn");
  check.maxLength(roleArn, 2048, "roleArn");
  check.required(sessionName, "roleSessionName");
  check.minLength(sessionName, 2, "roleSessionName");
  check.maxLength(sessionName, 64, "roleSessionName");
  check.pattern(sessionName, SESSION_NAME, "[\\w+=,.@-]*", "roleSessionName");
  check.minLength(externalId, 2, "externalId");
  check.maxLength(externalId, 1224, "externalId");
  check.pattern(externalId, EXTERNAL_ID, "[\\w+=,.@:\\/-]*", "externalId");
  check.range(duration, 900, 43200, "durationSeconds");
  check.throwIfAny();
  const m = ROLE_ARN.exec(roleArn!);
  if (!m) throw new AwsError("ValidationError", `${roleArn} is invalid`);
  const [, account, name] = m;
  const role = ctx.directory?.accounts.get(account!)?.roles.get(name!);
  const { caller } = ctx;
  if (!role || !trusts(role, caller) || (role.externalId !== undefined && externalId !== role.externalId))
    throw new AwsError(
      "AccessDenied",
      `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      403,
    );
  const seconds = duration ?? 3600;
  if (caller.session && seconds > CHAINED_MAX_SECONDS)
    throw new AwsError(
      "ValidationError",
      "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    );
  if (seconds > role.maxSessionDuration)
    throw new AwsError(
      "ValidationError",
      "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    );
  const now = ctx.now ?? Date.now();
  const session = ctx.sessions.issue({
    account: role.account,
    roleName: role.name,
    roleArn: role.arn,
    roleId: role.roleId,
    sessionName: sessionName!,
    expiresAt: new Date(Math.floor(now / 1000) * 1000 + seconds * 1000),
    chained: caller.session !== undefined,
  });
  return {
    Credentials: {
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      SessionToken: session.sessionToken,
      Expiration: `${session.expiresAt.toISOString().slice(0, 19)}Z`,
    },
    AssumedRoleUser: { AssumedRoleId: `${role.roleId}:${session.sessionName}`, Arn: session.arn },
  };
}
