/**
 * The autopilot routes with several fleets (a fleets file; FLEET_DOCTOR_AUTH=none): a group name is only unique
 * inside one fleet, so a policy, a breaker reset and the status name their fleet (400 naming `fleet` without it),
 * and a policy set in one fleet is not the other's.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AutopilotStatusAnswer } from "@/lib/autopilot/status.ts";
import type { startSimulator } from "@/sim/main.ts";
import { startMultiSim, writeProdStagingFleets } from "@/test/helpers/multi-fleets.ts";

const BASE = "http://127.0.0.1:3997";
const PROD = "111111111111/us-east-1";
const STAGING = "222222222222/us-east-1";
const dir = mkdtempSync(path.join(tmpdir(), "fd-autopilot-fleets-"));
let sim: Awaited<ReturnType<typeof startSimulator>>;
let routes: {
  status: typeof import("./route.ts");
  policies: typeof import("./policies/route.ts");
  reset: typeof import("./breakers/reset/route.ts");
};

beforeAll(async () => {
  sim = await startMultiSim();
  const fleets = writeProdStagingFleets(dir);
  Object.assign(process.env, {
    FLEET_DOCTOR_DB: path.join(dir, "api.db"),
    FLEET_DOCTOR_AUTH: "none",
    FLEET_DOCTOR_FLEETS: fleets,
  });
  routes = {
    status: await import("./route.ts"),
    policies: await import("./policies/route.ts"),
    reset: await import("./breakers/reset/route.ts"),
  };
}, 60_000);

afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

const send = (route: (r: Request) => Promise<Response>, method: string, url: string, body: unknown) =>
  route(
    new Request(`${BASE}${url}`, {
      method,
      headers: { host: "127.0.0.1:3997", origin: BASE, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  );
const status = async (fleet?: string) => {
  const res = await routes.status.GET(
    new Request(`${BASE}/api/autopilot${fleet ? `?fleet=${encodeURIComponent(fleet)}` : ""}`),
  );
  return { res, body: (await res.json()) as AutopilotStatusAnswer & { error?: { details?: { field?: string } } } };
};

describe("autopilot per fleet", () => {
  it("refuses a policy, a reset or a status without a fleet, or with a malformed one (400 naming fleet)", async () => {
    for (const res of [
      await send(routes.policies.PUT, "PUT", "/api/autopilot/policies", { group: "web", mode: "restart" }),
      await send(routes.policies.PUT, "PUT", "/api/autopilot/policies", { fleet: "prod", group: "web", mode: "off" }),
      await send(routes.reset.POST, "POST", "/api/autopilot/breakers/reset", { group: "web" }),
    ]) {
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { details?: { field?: string } } };
      expect(body.error.details?.field).toBe("fleet");
    }
    const unnamed = await status();
    expect(unnamed.res.status).toBe(400);
    expect(unnamed.body.error?.details?.field).toBe("fleet");
    // Nothing was set anywhere.
    expect((await status(PROD)).body.policies).toEqual([]);
  });

  it("keeps the same group's policy apart in two fleets", async () => {
    const put = async (fleet: string, mode: string) => {
      const res = await send(routes.policies.PUT, "PUT", "/api/autopilot/policies", { fleet, group: "web", mode });
      expect(res.status).toBe(200);
      return (await res.json()) as { policy: { fleet: string; group: string; mode: string } };
    };
    expect((await put(PROD, "restart")).policy).toMatchObject({ fleet: PROD, group: "web", mode: "restart" });
    expect((await put(STAGING, "notify")).policy).toMatchObject({ fleet: STAGING, group: "web", mode: "notify" });
    const prod = (await status(PROD)).body;
    const staging = (await status(STAGING)).body;
    expect(prod.fleet).toBe(PROD);
    expect(prod.policies.map((p) => [p.group, p.mode])).toEqual([["web", "restart"]]);
    expect(staging.policies.map((p) => [p.group, p.mode])).toEqual([["web", "notify"]]);
  });
});
