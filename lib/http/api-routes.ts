/**
 * Every route of the JSON API with the methods it answers, for the proxy to refuse other methods with the error
 * envelope (Next.js answers them with an empty 405). A path not listed here still reaches Next.js: the catch-all
 * app/api/[[...path]]/route.ts answers it with a JSON 404. request-gate.test.ts holds this table equal to the route files.
 */
export const API_ROUTES: readonly { pattern: string; methods: readonly string[] }[] = [
  { pattern: "/api/actions", methods: ["GET", "POST"] },
  { pattern: "/api/actions/preflight", methods: ["GET"] },
  { pattern: "/api/actions/script", methods: ["GET"] },
  { pattern: "/api/actions/[id]", methods: ["GET"] },
  { pattern: "/api/actions/[id]/events", methods: ["GET"] },
  { pattern: "/api/alerts", methods: ["GET"] },
  { pattern: "/api/autopilot", methods: ["GET"] },
  { pattern: "/api/autopilot/policies", methods: ["PUT"] },
  { pattern: "/api/autopilot/kill-switch", methods: ["POST"] },
  { pattern: "/api/autopilot/breakers/reset", methods: ["POST"] },
  { pattern: "/api/fleets", methods: ["GET"] },
  { pattern: "/api/groups", methods: ["GET"] },
  { pattern: "/api/groups/[name]", methods: ["GET"] },
  { pattern: "/api/groups/[name]/fix/template", methods: ["POST"] },
  { pattern: "/api/groups/[name]/fix/point", methods: ["POST"] },
  { pattern: "/api/groups/[name]/fix/refresh", methods: ["POST"] },
  { pattern: "/api/instances", methods: ["GET"] },
  { pattern: "/api/instances/table", methods: ["GET"] },
  { pattern: "/api/instances/[id]", methods: ["GET"] },
  { pattern: "/api/instances/[id]/view", methods: ["GET"] },
  { pattern: "/api/me", methods: ["GET"] },
  { pattern: "/api/scans", methods: ["GET", "POST"] },
  { pattern: "/api/scans/[id]", methods: ["GET", "DELETE"] },
  { pattern: "/api/scans/[id]/events", methods: ["GET"] },
  { pattern: "/api/sweeps", methods: ["GET"] },
  { pattern: "/api/sweeps/[id]", methods: ["GET"] },
  { pattern: "/api/watch", methods: ["GET"] },
];

const compiled = API_ROUTES.map((r) => ({
  ...r,
  // Static segments win over [id], as in Next.js: try the exact pattern first, then the dynamic one.
  dynamic: r.pattern.includes("["),
  regex: new RegExp(`^${r.pattern.replace(/\[[a-z]+\]/g, "[^/]+")}/?$`),
}));

/** The methods a path answers (HEAD and OPTIONS wherever GET is), or undefined for a path that is no API route. */
export function apiMethods(pathname: string): string[] | undefined {
  const hit =
    compiled.find((r) => !r.dynamic && r.regex.test(pathname)) ?? compiled.find((r) => r.regex.test(pathname));
  if (!hit) return undefined;
  return hit.methods.includes("GET") ? [...hit.methods, "HEAD", "OPTIONS"] : [...hit.methods, "OPTIONS"];
}
