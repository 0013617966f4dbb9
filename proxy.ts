import { type NextRequest, NextResponse } from "next/server";
import { config as appConfig } from "./lib/config.ts";

/**
 * Runs before every request (Next.js 16's renamed middleware; Node.js runtime). It sets the Content Security Policy
 * with a fresh nonce per request, which Next.js reads from the request's CSP header and puts on its own inline
 * scripts (every page is rendered per request: the root layout reads the signed-in user). In local mode
 * (FLEET_DOCTOR_AUTH=none, no login at all) it also refuses any Host but loopback, so a web page elsewhere cannot
 * reach the local operator through DNS rebinding.
 *
 * Authentication itself is not decided here: every route handler and page verifies the user again (a proxy can be
 * bypassed by a misrouted request; the handlers cannot).
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

export function proxy(request: NextRequest) {
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
  if (request.nextUrl.pathname.startsWith("/api/")) {
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
