import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FleetDoctorError } from "../errors.ts";
import { API_ROUTES, apiMethods } from "./api-routes.ts";
import { idParam, parseId } from "./ids.ts";
import { checkMethod, checkPath } from "./request-gate.ts";

const statusOf = (fn: () => void): number => {
  try {
    fn();
    return 0;
  } catch (e) {
    expect(e).toBeInstanceOf(FleetDoctorError);
    return (e as FleetDoctorError).status;
  }
};

const MALFORMED = ["%E0%A4%A", "%ff%fe", "%ED%A0%80", "%", "%zz", "abc%4"];

describe("checkPath", () => {
  it.each(MALFORMED)("refuses the malformed escape %s with 400, in any segment", (bad) => {
    for (const p of [`/api/scans/${bad}`, `/api/scans/${bad}/events`, `/instances/${bad}`, `/${bad}`]) {
      expect(statusOf(() => checkPath(p))).toBe(400);
    }
  });
  it("refuses encoded dot-segments, slashes and NUL", () => {
    for (const p of ["/api/scans/%2e%2e/events", "/api/scans/%2E/x", "/instances/a%2fb", "/api/x%5cy", "/scans/%00"]) {
      expect(statusOf(() => checkPath(p))).toBe(400);
    }
  });
  it("accepts ordinary and well-encoded paths", () => {
    for (const p of ["/", "/api/scans", "/instances/i-0123456789abcdef0", "/scans/%41bc", "/api/instances/%C3%A9"]) {
      expect(statusOf(() => checkPath(p))).toBe(0);
    }
  });
});

describe("checkMethod", () => {
  const h = (init: Record<string, string> = {}) => new Headers(init);
  it("answers 405 for a method a known API route does not serve, naming the allowed ones", () => {
    expect(statusOf(() => checkMethod("/api/scans", "PUT", h()))).toBe(405);
    expect(statusOf(() => checkMethod("/api/instances/i-0123456789abcdef0", "DELETE", h()))).toBe(405);
    expect(statusOf(() => checkMethod("/api/actions/preflight", "POST", h()))).toBe(405);
    try {
      checkMethod("/api/scans/x", "PATCH", h());
    } catch (e) {
      expect((e as FleetDoctorError).details).toEqual({ allow: "GET, DELETE, HEAD, OPTIONS" });
    }
  });
  it("lets the served methods through, HEAD and OPTIONS with GET", () => {
    for (const [p, m] of [
      ["/api/scans", "POST"],
      ["/api/scans/x", "DELETE"],
      ["/api/scans/x/events", "HEAD"],
      ["/api/instances/table", "GET"],
      ["/api/actions", "OPTIONS"],
    ] as const) {
      expect(statusOf(() => checkMethod(p, m, h()))).toBe(0);
    }
  });
  it("passes unknown API paths with a routable method (the catch-all answers 404), refuses other methods", () => {
    expect(statusOf(() => checkMethod("/api/nope", "GET", h()))).toBe(0);
    expect(statusOf(() => checkMethod("/api/nope", "PROPFIND", h()))).toBe(405);
  });
  it("pages: GET and HEAD, and POST only as a server function call", () => {
    expect(statusOf(() => checkMethod("/instances", "GET", h()))).toBe(0);
    expect(statusOf(() => checkMethod("/", "HEAD", h()))).toBe(0);
    expect(statusOf(() => checkMethod("/instances", "POST", h({ "next-action": "abc" })))).toBe(0);
    for (const m of ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND"]) {
      expect(statusOf(() => checkMethod("/instances", m, h()))).toBe(405);
    }
  });
});

describe("the API route table", () => {
  // app/api/**/route.ts and the methods each exports, read from the files: a new route must be added to the table.
  const root = path.join(import.meta.dirname, "../../app/api");
  const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith("route.ts"));
  const fromFiles = files
    .filter((f) => !f.includes("[[...path]]"))
    .map((f) => {
      const source = readFileSync(path.join(root, f), "utf8");
      const methods = [...source.matchAll(/export const (GET|POST|PUT|PATCH|DELETE)\b/g)].map((m) => m[1]!);
      return { pattern: `/api/${path.dirname(f).split(path.sep).join("/")}`.replace(/\/\.$/, ""), methods };
    });
  it("lists every route file with the methods it exports", () => {
    const sort = (xs: { pattern: string; methods: readonly string[] }[]) =>
      xs.map((x) => `${x.pattern} ${[...x.methods].sort().join(",")}`).sort();
    expect(sort([...API_ROUTES])).toEqual(sort(fromFiles));
  });
  it("matches static segments before [id]", () => {
    expect(apiMethods("/api/instances/table")).toEqual(["GET", "HEAD", "OPTIONS"]);
    expect(apiMethods("/api/actions/preflight")).toEqual(["GET", "HEAD", "OPTIONS"]);
    expect(apiMethods("/api/scans/x/events/y")).toBeUndefined();
  });
});

describe("ids", () => {
  const uuid = "0b6a3b8e-1111-4c3e-9a1b-3f4f5e6d7c8b";
  it("accepts well-formed ids, decoded once", () => {
    expect(parseId("instance", "i-0123456789abcdef0")).toBe("i-0123456789abcdef0");
    expect(parseId("instance", "i-01234567")).toBe("i-01234567");
    expect(parseId("instance", "mi-0123456789abcdef0")).toBe("mi-0123456789abcdef0");
    expect(parseId("scan", uuid)).toBe(uuid);
    expect(parseId("action", uuid.replace("0b", "%30b"))).toBe(uuid);
  });
  it.each([...MALFORMED, "i-0123", "I-0123456789ABCDEF0", "i-0123456789abcdef0 ", "%2569", "x".repeat(300)])(
    "refuses %s",
    async (bad) => {
      for (const kind of ["instance", "scan", "action"] as const) {
        expect(parseId(kind, bad)).toBeUndefined();
        const e = await idParam(kind, { params: Promise.resolve({ id: bad }) }).catch((x) => x);
        expect(e).toBeInstanceOf(FleetDoctorError);
        expect(e).toMatchObject({ status: 400, details: { field: "id" } });
      }
    },
  );
});
