import { GetCallerIdentityCommand, STSClient, type STSClientConfig } from "@aws-sdk/client-sts";
import type { Config } from "../config.ts";

/**
 * A fleet: the account and region instances were read from. Every scan records its fleet, so results of two
 * fleets kept in one database never mix in one fleet's counts, and "gone" is decided per fleet.
 */
export type Fleet = {
  /** `<account>/<region>`: what scans are stored under. */
  id: string;
  /** The 12-digit account (STS), or the endpoint's host when the endpoint has no STS. */
  account: string;
  region: string;
  /** Where the account came from. */
  source: "sts" | "endpoint";
};

export function fleetOf(account: string, region: string, source: Fleet["source"]): Fleet {
  return { id: `${account}/${region}`, account, region, source };
}

/** What to call the fleet when STS does not answer: the endpoint it was read from, or the default AWS endpoint. */
function endpointAccount(env: Record<string, string | undefined>): string {
  const url = env.AWS_ENDPOINT_URL_STS || env.AWS_ENDPOINT_URL_SSM || env.AWS_ENDPOINT_URL;
  if (!url) return "unknown-account";
  try {
    return new URL(url).host;
  } catch {
    return "unknown-account";
  }
}

/**
 * Which fleet the configured credentials and region see: STS GetCallerIdentity once (it needs no permission), or
 * the endpoint when it has no STS (an AWS-compatible endpoint without it). Never throws: a scan whose fleet
 * cannot be named by STS still runs, under the endpoint's name.
 */
export async function identifyFleet(
  config: Pick<Config, "region"> & Partial<Pick<Config, "maxAttempts">>,
  env: Record<string, string | undefined> = process.env,
  /** The credentials whose account to name (a fleet's assumed role); absent: the SDK's default chain. */
  credentials?: STSClientConfig["credentials"],
): Promise<Fleet> {
  const sts = new STSClient({
    region: config.region,
    maxAttempts: Math.min(config.maxAttempts ?? 2, 2),
    ...(credentials ? { credentials } : {}),
  });
  try {
    const answer = await sts.send(new GetCallerIdentityCommand({}), { abortSignal: AbortSignal.timeout(10_000) });
    if (answer.Account) return fleetOf(answer.Account, config.region, "sts");
  } catch {
    // no STS here (or not reachable now): the endpoint names the fleet
  } finally {
    sts.destroy();
  }
  return fleetOf(endpointAccount(env), config.region, "endpoint");
}
