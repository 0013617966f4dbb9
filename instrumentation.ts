/**
 * Next.js calls register() once when the server starts. Fleet Doctor uses it to take over the restart actions a
 * previous process left unfinished (crash, deploy): it collects the commands already sent and never sends again.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // Configuration is validated at start: a wrong value (a malformed AWS_ENDPOINT_URL...) stops the server here
  // with a message naming the variable, not at the first scan with `TypeError: Invalid URL`.
  const { config } = await import("./lib/config.ts");
  try {
    config();
  } catch (e) {
    console.error(`[fleet-doctor] ${(e as Error).message}`);
    process.exit(2);
  }
  try {
    const { ensureResumed } = await import("./lib/actions/context.ts");
    ensureResumed();
  } catch (e) {
    console.error("[fleet-doctor] could not resume unfinished actions:", e);
  }
}
