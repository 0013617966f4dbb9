/**
 * The fleet this server shows: the account of its credentials (STS, once per process) and its configured region.
 * Counts, charts, listings and the header are this fleet's; results of other fleets in the same database stay out.
 * Not `server-only`: route handlers import it, and their tests run outside Next.js.
 */
import { config } from "../config.ts";
import { type Fleet, identifyFleet } from "./fleet.ts";

let cached: { key: string; fleet: Promise<Fleet>; at: number } | undefined;
// A fleet named by its endpoint (STS did not answer) is asked again after a minute; an STS answer is kept.
const RETRY_MS = 60_000;

export async function fleetInView(): Promise<Fleet> {
  const { region } = config();
  // The endpoint the SDK reads now: a process that points itself elsewhere (tests) sees that fleet.
  const key = [region, process.env.AWS_ENDPOINT_URL_STS, process.env.AWS_ENDPOINT_URL].join(" ");
  if (cached?.key === key) {
    const fleet = await cached.fleet;
    if (fleet.source === "sts" || Date.now() - cached.at < RETRY_MS) return fleet;
  }
  cached = { key, fleet: identifyFleet(config()), at: Date.now() };
  return cached.fleet;
}
