import { type NextRequest, NextResponse } from "next/server";
import { currentActor } from "./lib/auth/actor.ts";
import { checkOrigin } from "./lib/auth/origin.ts";
import { config as appConfig } from "./lib/config.ts";
import { FleetDoctorError } from "./lib/errors.ts";
import { checkMethod, checkPath, isApiPath } from "./lib/http/request-gate.ts";
import { errorResponse } from "./lib/http/respond.ts";

/**
 * Runs before every request (Next.js 16's renamed middleware; Node.js runtime), in this order:
 * 1. local mode (FLEET_DOCTOR_AUTH=none, no login at all) answers loopback Hosts only, so a web page elsewhere
 *    cannot reach the local operator through DNS rebinding;
 * 2. the request line: a path that does not decode is a 400, a method the route does not serve a 405
 *    (lib/http/request-gate.ts), before Next.js's router can answer them with a 500 or an empty body, and a
 *    server function call from another origin a 403;
 * 3. with FLEET_DOCTOR_AUTH=alb, who is asking: 401, 403 or 503 before any page renders or any route runs;
 * 4. the Content Security Policy with a fresh nonce per request, which Next.js reads from the request's CSP header
 *    and puts on its own inline scripts.
 * Errors on /api are the JSON envelope; on pages a short HTML answer with the same status. Route handlers still
 * check the actor and its role themselves (withActor): a proxy can be bypassed by a misrouted request.
 */
const LOOPBACK = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/i;

function pageCsp(nonce: string): string {
  const dev = process.env.NODE_ENV === "development";
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    // Style attributes (React style props, Cloudscape) cannot carry a nonce; styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/** The error as the caller expects it: the envelope for the API, a minimal page (no scripts) for a browser. */
function refusal(e: unknown, api: boolean): Response {
  const res = errorResponse(e);
  const allow = e instanceof FleetDoctorError && typeof e.details?.allow === "string" ? e.details.allow : undefined;
  if (allow) res.headers.set("allow", allow);
  if (api) {
    res.headers.set("Content-Security-Policy", API_CSP);
    return res;
  }
  const message = e instanceof FleetDoctorError ? e.message : "Something went wrong on our side.";
  const escaped = message.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return new Response(
    `<!doctype html><html lang="en"><meta charset="utf-8"><title>Fleet Doctor: ${res.status}</title><h1>${res.status}</h1><p>${escaped}</p></html>`,
    {
      status: res.status,
      headers: {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-store",
        "Content-Security-Policy": API_CSP,
        ...(allow ? { allow } : {}),
      },
    },
  );
}

export async function proxy(request: NextRequest) {
  const cfg = appConfig();
  if (cfg.auth === "none" && !cfg.origin) {
    const host = request.headers.get("host") ?? "";
    if (!LOOPBACK.test(host)) {
      return NextResponse.json(
        {
          error: {
            code: "FORBIDDEN",
            message: "Local mode answers on localhost only (set FLEET_DOCTOR_AUTH=alb to serve others).",
          },
        },
        { status: 403 },
      );
    }
  }
  // The path as sent (nextUrl may be normalised): the escapes Next.js would decode later.
  const rawPath = new URL(request.url).pathname;
  const api = isApiPath(rawPath);
  try {
    checkPath(rawPath);
    checkMethod(rawPath, request.method, request.headers);
    // A server function call is a mutation like any other: our Origin check, a 403 (Next.js's own is a 500).
    if (!api && request.method === "POST") checkOrigin(request, cfg);
    if (cfg.auth !== "none") await currentActor(request, cfg);
  } catch (e) {
    return refusal(e, api);
  }
  if (api) {
    const response = NextResponse.next();
    response.headers.set("Content-Security-Policy", API_CSP);
    return response;
  }
  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const csp = pageCsp(nonce);
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("Content-Security-Policy", csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", csp);
  return response;
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico|icon.svg).*)"],
};
