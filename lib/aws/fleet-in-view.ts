/**
 * The fleet of the default credentials: the account STS names for them (asked once per process) in the configured
 * region. It is the one fleet without a fleets file, and the fleet a page shows when none is picked.
 * Not `server-only`: route handlers import it, and their tests run outside Next.js.
 */
import { type Config, config } from "../config.ts";
import { type Fleet, identifyFleet } from "./fleet.ts";

let cached: { key: string; fleet: Promise<Fleet>; at: number } | undefined;
// A fleet named by its endpoint (STS did not answer) is asked again after a minute; an STS answer is kept.
const RETRY_MS = 60_000;

/**
 * The default credentials' fleet, cached: every restart, preflight and page would otherwise ask STS again. The key
 * is what the SDK reads now (region, endpoints, keys): a process that points itself elsewhere (tests) sees that fleet.
 */
export async function defaultFleet(c: Pick<Config, "region"> & Partial<Pick<Config, "maxAttempts">>): Promise<Fleet> {
  const env = process.env;
  const key = [c.region, env.AWS_ENDPOINT_URL_STS, env.AWS_ENDPOINT_URL, env.AWS_ACCESS_KEY_ID, env.AWS_PROFILE].join(
    " ",
  );
  if (cached?.key === key) {
    const fleet = await cached.fleet;
    if (fleet.source === "sts" || Date.now() - cached.at < RETRY_MS) return fleet;
  }
  cached = { key, fleet: identifyFleet(c), at: Date.now() };
  return cached.fleet;
}

export async function fleetInView(): Promise<Fleet> {
  return defaultFleet(config());
}
