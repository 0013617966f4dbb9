/**
 * STS GetCallerIdentity (awsQuery, Version 2011-06-15): who the caller is. A key the simulator did not issue is the
 * user `fleet-doctor-sim` of the default account; a key from AssumeRole is that role session.
 */
import type { Caller } from "../protocol/caller.ts";
import type { XmlValue } from "../protocol/query.ts";

export const STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";
export const STS_VERSION = "2011-06-15";

/** The account a simulator answers for unless told otherwise (the documentation's example account). */
export const DEFAULT_ACCOUNT = "123456789012";

export function getCallerIdentity(caller: Caller): XmlValue {
  return { Arn: caller.arn, UserId: caller.userId, Account: caller.account };
}
