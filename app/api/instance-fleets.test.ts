import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Verdict } from "@/lib/diagnosis/types.ts";
import type { InstanceResult } from "@/lib/scan/types.ts";

// The routes read config() and getStore() once per process: point them at a temp database before loading them.
const dir = mkdtempSync(path.join(tmpdir(), "fd-api-fleets-"));
process.env.FLEET_DOCTOR_DB = path.join(dir, "api.db");
process.env.FLEET_DOCTOR_AUTH = "none";

// Issue 19: the same instance id in two accounts is two instances; a script naming only the id must not get one of
// them at random.
const A = "111111111111/us-east-1";
const B = "222222222222/us-east-1";
const SAME = "i-0a1b2c3d4e5f60718";
const ALONE = "i-0a1b2c3d4e5f60719";

type Routes = {
  instance: typeof import("./instances/[id]/route.ts");
  view: typeof import("./instances/[id]/view/route.ts");
};
let r: Routes;

function result(scanId: string, instanceId: string, verdict: Verdict, probedAt: string): InstanceResult {
  return {
    scanId,
    instanceId,
    target: { instanceId, pingStatus: "Online" },
    outcome: { status: "Success", output: "", truncated: false, responseCode: 0 },
    diagnosis: { verdict, summary: verdict, evidence: [], remedies: [], restartWillWork: false },
    verdict,
    probedAt,
  };
}

const params = (id: string) => ({ params: Promise.resolve({ id }) });
const get = (url: string) => new Request(`http://fleet.test${url}`);
async function errorOf(res: Response) {
  const body = (await res.json()) as { error: { code: string; message: string; details?: Record<string, unknown> } };
  return { status: res.status, ...body.error };
}

beforeAll(async () => {
  r = { instance: await import("./instances/[id]/route.ts"), view: await import("./instances/[id]/view/route.ts") };
  const store = (await import("@/lib/store/index.ts")).getStore();
  const a = await store.createScan({ targets: { kind: "all" }, fleet: A });
  const b = await store.createScan({ targets: { kind: "all" }, fleet: B });
  await store.saveResult(result(a.id, SAME, "healthy", "2026-01-01T00:00:00.000Z"), "raw of A");
  await store.saveResult(result(a.id, ALONE, "healthy", "2026-01-01T00:00:00.000Z"), "");
  await store.saveResult(result(b.id, SAME, "agent-failed", "2026-01-02T00:00:00.000Z"), "raw of B");
});

afterAll(async () => {
  await (await import("@/lib/store/index.ts")).getStore().close();
  rmSync(dir, { recursive: true, force: true });
});

describe("GET /api/instances/:id with one id in two fleets", () => {
  it("answers 409 naming the fleets (newest first) when no fleet is given", async () => {
    for (const route of [r.instance, r.view]) {
      const e = await errorOf(await route.GET(get(`/api/instances/${SAME}`), params(SAME)));
      expect(e).toMatchObject({ status: 409, code: "CONFLICT", details: { field: "fleet", fleets: [B, A] } });
      expect(e.message).toContain("?fleet=");
    }
  });

  it("answers each fleet's own instance with ?fleet=", async () => {
    for (const [fleet, verdict, raw] of [
      [A, "healthy", "raw of A"],
      [B, "agent-failed", "raw of B"],
    ] as const) {
      const res = await r.instance.GET(get(`/api/instances/${SAME}?fleet=${encodeURIComponent(fleet)}`), params(SAME));
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.instance).toMatchObject({ instanceId: SAME, fleet, verdict, rawOutput: raw });
      expect(body.history).toHaveLength(1);
      const view = await r.view.GET(get(`/api/instances/${SAME}/view?fleet=${fleet}`), params(SAME));
      expect((await view.json()).view).toMatchObject({ fleet, verdict, region: "us-east-1" });
    }
  });

  it("answers an id in one fleet without ?fleet=, as before", async () => {
    const res = await r.instance.GET(get(`/api/instances/${ALONE}`), params(ALONE));
    expect(res.status).toBe(200);
    expect((await res.json()).instance).toMatchObject({ instanceId: ALONE, fleet: A });
  });

  it("400 naming `fleet` when it is malformed; 404 for a fleet without the instance", async () => {
    for (const bad of ["prod", "111111111111", "111111111111/US EAST", "../x/us-east-1", "a/b/c", "/us-east-1"]) {
      for (const route of [r.instance, r.view]) {
        const res = await route.GET(get(`/api/instances/${SAME}?fleet=${encodeURIComponent(bad)}`), params(SAME));
        expect(await errorOf(res)).toMatchObject({ status: 400, code: "BAD_REQUEST", details: { field: "fleet" } });
      }
    }
    const other = "333333333333/us-east-1";
    const res = await r.instance.GET(get(`/api/instances/${SAME}?fleet=${other}`), params(SAME));
    expect(await errorOf(res)).toMatchObject({ status: 404, code: "NOT_FOUND" });
  });
});
