import { config } from "./config.ts";

/**
 * Called once when the server starts (instrumentation.ts): a wrong variable (a malformed AWS_ENDPOINT_URL...)
 * stops it here with a message naming the variable, not at the first scan with `TypeError: Invalid URL`.
 */
export function exitOnBadConfig(): void {
  try {
    config();
  } catch (e) {
    console.error(`[fleet-doctor] ${(e as Error).message}`);
    process.exit(2);
  }
}
