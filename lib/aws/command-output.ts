/** How the SSM agent cuts plugin Output to 2500 characters (facts/aws-api.md, "Reading results"). */
export const OUTPUT_TRUNCATED = "\n---Output truncated---";
export const ERROR_TRUNCATED = "\n---Error truncated----";
/** GetCommandInvocation's contents (24,000 / 8,000 bytes) end with this when the agent read only a prefix. */
export const CONTENT_TRUNCATED = "--output truncated--";
export const ERROR_SEPARATOR = "\n----------ERROR-------\n";

export function hasTruncationMarker(output: string): boolean {
  return output.includes(OUTPUT_TRUNCATED) || output.includes(ERROR_TRUNCATED);
}

/** Rebuilds the plugin Output shape from GetCommandInvocation's separate stdout and stderr. */
export function combineOutput(stdout: string, stderr: string): string {
  return stderr ? `${stdout}${ERROR_SEPARATOR}${stderr}` : stdout;
}

/** "Delivery Timed Out" (docs) and "DeliveryTimedOut" (wire) are the same status detail. */
export function normaliseStatus(s: string | undefined): string | undefined {
  return s?.replace(/\s+/g, "");
}

export const TERMINAL_STATUSES = new Set(["Success", "Cancelled", "TimedOut", "Failed"]);

/** Details that say SSM never handed the command to the instance's agent: the probe did not run. */
export const NOT_DELIVERED = new Set([
  "Undeliverable",
  "DeliveryTimedOut",
  "InvalidPlatform",
  "AccessDenied",
  "Terminated",
]);
