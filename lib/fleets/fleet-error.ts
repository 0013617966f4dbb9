import { errorName } from "../aws/errors.ts";
import { FleetDoctorError } from "../errors.ts";
import type { FleetError, FleetTarget, RoleHop } from "./types.ts";

/** Which hop of a role chain an AssumeRole failure came from (set by the chain, read by describeFleetError). */
type HopFailure = { index: number; hop: RoleHop };
const failedHops = new WeakMap<object, HopFailure>();

/**
 * Marks an error as the failure of one hop. In a chain the innermost failing hop marks it first and the outer hops
 * pass it on unchanged, so the mark names the role that was really denied.
 */
export function tagHop(e: unknown, failure: HopFailure): void {
  if (e && typeof e === "object" && !failedHops.has(e)) failedHops.set(e, failure);
}

/** The account of an IAM role ARN (`arn:aws:iam::<account>:role/<name>`). */
export function roleAccount(roleArn: string): string | undefined {
  return /^arn:[\w-]+:iam::(\d{12}):role\//.exec(roleArn)?.[1];
}

/**
 * A failure to read one fleet, as the fleet's own error: which role in which account could not be assumed, or which
 * call failed under which role. Never carries credentials or external ids; the AWS message is cut short (it names
 * ARNs, never secrets) and left out for a denied AssumeRole, whose message only repeats the caller and the role.
 */
export function describeFleetError(e: unknown, target: FleetTarget): FleetError {
  // A call's failure wrapped by lib/aws/errors.ts (awsError) is told by the AWS error it carries.
  const cause = (e as { cause?: unknown } | undefined)?.cause;
  if (e instanceof FleetDoctorError && cause && typeof cause === "object") return describeFleetError(cause, target);
  const code = errorName(e);
  const base = { fleet: target.id, account: target.account, region: target.region, code };
  const failure = e && typeof e === "object" ? failedHops.get(e) : undefined;
  if (failure) {
    const { index, hop } = failure;
    const account = roleAccount(hop.roleArn) ?? "unknown account";
    const where = target.roles.length > 1 ? ` (hop ${index + 1} of ${target.roles.length})` : "";
    const hint =
      code === "AccessDenied"
        ? hop.externalId
          ? ": check the role's trust policy (the trusted account and the external id)"
          : ": check the role's trust policy (the trusted account; an external id the role may require)"
        : "";
    return {
      ...base,
      message: `Role ${hop.roleArn} in account ${account} could not be assumed${where} (${code})${hint}`,
    };
  }
  const as = target.roles.at(-1)?.roleArn;
  const message = String((e as Error)?.message ?? e)
    .replace(/\s+/g, " ")
    .slice(0, 200);
  return {
    ...base,
    message: `${code} reading account ${target.account} in ${target.region}${as ? ` as ${as}` : ""}: ${message}`,
  };
}
