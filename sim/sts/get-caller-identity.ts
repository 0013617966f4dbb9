/**
 * STS GetCallerIdentity (awsQuery, Version 2011-06-15): the one STS call Fleet Doctor makes, to learn which
 * account the fleet it scans belongs to. The simulator answers as a user `fleet-doctor-sim` of its account.
 */
import type { QueryParams, XmlValue } from "../protocol/query.ts";

export const STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";
export const STS_VERSION = "2011-06-15";
export const STS_OPERATIONS = new Set(["GetCallerIdentity"]);

/** The account a simulator answers for unless told otherwise (the documentation's example account). */
export const DEFAULT_ACCOUNT = "123456789012";

export function getCallerIdentity(_params: QueryParams, account: string): XmlValue {
  return {
    Arn: `arn:aws:iam::${account}:user/fleet-doctor-sim`,
    UserId: "AIDASIMULATORFLEETDOC",
    Account: account,
  };
}
