import { FleetDoctorError } from "../errors.ts";
import { apiMethods } from "./api-routes.ts";

/**
 * The checks the proxy makes on every request's line before routing, so that Next.js never decodes a path it
 * cannot (a malformed escape is its 500) and never answers a method with an empty body. Pure: the proxy maps the
 * error to the JSON envelope on /api and to a short page elsewhere.
 */

/** Methods Next.js route handlers can export; any other reaching the proxy (PROPFIND, …) is refused everywhere. */
const ROUTABLE = new Set(["GET", "HEAD", "OPTIONS", "POST", "PUT", "DELETE", "PATCH"]);

/**
 * The raw path must decode (no stray `%`, valid UTF-8, no encoded surrogates) into segments that are not `.`, `..`
 * or hide a `/` or `\`: a decoded path then means one thing to the proxy, Next.js's router and the route.
 */
export function checkPath(rawPathname: string): void {
  let segments: string[];
  try {
    segments = rawPathname.split("/").map((s) => decodeURIComponent(s));
  } catch {
    throw new FleetDoctorError("BAD_REQUEST", "The path has a malformed percent-escape.", { field: "path" });
  }
  if (segments.some((s, i) => s === "." || s === ".." || (/[/\\\0]/.test(s) && i > 0))) {
    throw new FleetDoctorError("BAD_REQUEST", "The path has an encoded dot-segment, slash or NUL.", { field: "path" });
  }
}

export const isApiPath = (pathname: string) => pathname === "/api" || pathname.startsWith("/api/");

/** 405 for a method the path does not answer; unknown /api paths pass (the catch-all route answers 404). */
export function checkMethod(pathname: string, method: string, headers: Headers): void {
  const refuse = (allow: string[]) => {
    throw new FleetDoctorError("METHOD_NOT_ALLOWED", `${method.slice(0, 20)} is not allowed here.`, {
      allow: allow.join(", "),
    });
  };
  if (isApiPath(pathname)) {
    const allowed = apiMethods(pathname);
    if (allowed ? !allowed.includes(method) : !ROUTABLE.has(method)) refuse(allowed ?? ["GET"]);
    return;
  }
  // Pages: read with GET/HEAD; POST only as a server function call (Next.js marks those with Next-Action).
  if (method === "GET" || method === "HEAD") return;
  if (method === "POST" && headers.has("next-action")) return;
  refuse(["GET", "HEAD"]);
}
