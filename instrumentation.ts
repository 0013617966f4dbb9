/**
 * Next.js calls register() once when the server starts. Fleet Doctor uses it to take over the restart actions a
 * previous process left unfinished (crash, deploy): it collects the commands already sent and never sends again.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // Configuration is validated at start: a wrong value stops the server with a message naming the variable.
  (await import("./lib/config-at-start.ts")).exitOnBadConfig();
  try {
    const { ensureResumed } = await import("./lib/actions/context.ts");
    ensureResumed();
  } catch (e) {
    console.error("[fleet-doctor] could not resume unfinished actions:", e);
  }
}
