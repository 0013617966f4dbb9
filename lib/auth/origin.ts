import type { Config } from "../config.ts";
import { config as loadConfig } from "../config.ts";
import { FleetDoctorError } from "../errors.ts";

/**
 * The origin this app is served from, as the browser sees it: FLEET_DOCTOR_ORIGIN when set (required behind a
 * proxy that rewrites Host), else the request's Host with the scheme the proxy reports or the request's own.
 */
export function expectedOrigin(request: Request, cfg: Config = loadConfig()): string {
  if (cfg.origin) return cfg.origin;
  const url = new URL(request.url);
  const host = request.headers.get("host") ?? url.host;
  const proto = request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim() || url.protocol.replace(/:$/, "");
  return `${proto}://${host}`;
}

/**
 * CSRF guard for every mutation: the browser's Origin header must be our own origin. A request without Origin is
 * refused too (every browser sends it on a cross-origin or non-GET fetch; other clients can set it).
 */
export function checkOrigin(request: Request, cfg: Config = loadConfig()): void {
  const origin = request.headers.get("origin");
  if (!origin || origin === "null") {
    throw new FleetDoctorError(
      "FORBIDDEN",
      "This request must carry an Origin header (cross-site request protection).",
    );
  }
  if (request.headers.get("sec-fetch-site") === "cross-site") {
    throw new FleetDoctorError("FORBIDDEN", "Cross-site requests may not change anything.");
  }
  const expected = expectedOrigin(request, cfg);
  if (origin.toLowerCase() !== expected.toLowerCase()) {
    throw new FleetDoctorError("FORBIDDEN", `Origin ${origin.slice(0, 200)} is not this application's origin.`, {
      expected,
    });
  }
}
