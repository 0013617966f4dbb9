/**
 * Next.js calls register() once when the server starts. Fleet Doctor uses it to take over the restart actions a
 * previous process left unfinished (crash, deploy): it collects the commands already sent and never sends again.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  try {
    const { ensureResumed } = await import("./lib/actions/context.ts");
    await ensureResumed();
  } catch (e) {
    console.error("[fleet-doctor] could not resume unfinished actions:", e);
  }
}
