import { paginateGetParametersByPath, SSMClient } from "@aws-sdk/client-ssm";
import type { Config } from "../config.ts";

/** Where AWS publishes its regions as public SSM parameters, one per region (`.../regions/us-east-1` = us-east-1). */
export const REGIONS_PATH = "/aws/service/global-infrastructure/regions";

/**
 * Every region AWS lists, for `regions: all`: the SSM public parameters of the default credentials' region, which
 * need no permission beyond ssm:GetParametersByPath. They include opt-in regions an account has not enabled; reading
 * one fails for that fleet alone. Sorted, so fleets come in the same order every time.
 */
export async function allRegions(config: Pick<Config, "region" | "maxAttempts">): Promise<string[]> {
  const client = new SSMClient({ region: config.region, maxAttempts: config.maxAttempts });
  try {
    const names = new Set<string>();
    // Not recursive: deeper parameters (`.../us-east-1/longName`) describe a region, they are not one.
    for await (const page of paginateGetParametersByPath({ client }, { Path: REGIONS_PATH })) {
      for (const p of page.Parameters ?? []) {
        const name = p.Value || p.Name?.split("/").at(-1);
        if (name) names.add(name);
      }
    }
    return [...names].sort();
  } finally {
    client.destroy();
  }
}
