/**
 * Next.js calls register() once when the server starts. Fleet Doctor uses it to put its HTTP guard in front of the
 * server, and to take over the restart actions a
 * previous process left unfinished (crash, deploy): it collects the commands already sent and never sends again;
 * then to start the watcher (FLEET_DOCTOR_WATCH=on), which runs on whichever replica leads it, with autopilot's
 * review (lib/autopilot) after each of its scans and alerts to the configured webhooks.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // Configuration is validated at start: a wrong value stops the server with a message naming the variable.
  (await import("./lib/config-at-start.ts")).exitOnBadConfig();
  // Before any request: methods, bodies and unparsable requests Next.js cannot answer well (lib/http/http-guard.ts).
  (await import("./lib/http/http-guard.ts")).installHttpGuard();
  try {
    const { ensureResumed } = await import("./lib/actions/context.ts");
    await ensureResumed();
  } catch (e) {
    console.error("[fleet-doctor] could not resume unfinished actions:", e);
  }
  // The watcher (lib/watch), on the replica that leads it; a failure is logged and the server goes on without it.
  try {
    const { config } = await import("./lib/config.ts");
    if (config().watch.enabled) {
      const { getStore } = await import("./lib/store/index.ts");
      const { alertSink } = await import("./lib/alerts/process-sink.ts");
      const { autopilotAfterScan } = await import("./lib/autopilot/after-watcher-scan.ts");
      const afterScan = autopilotAfterScan(getStore(), config(), alertSink());
      (await import("./lib/watch/start-watcher.ts")).startWatcher({ afterScan });
    }
  } catch (e) {
    console.error("[fleet-doctor] could not start the watcher:", e);
  }
}
