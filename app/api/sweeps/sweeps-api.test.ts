/**
 * POST /api/scans with `fleets` (a sweep) and GET /api/sweeps(/:id), through the route handlers against the
 * simulator: each bad entry of `fleets` is a 400 naming it, a fleet Fleet Doctor does not read is a 400, a sweep of
 * one fleet still answers `scanId` (the single-fleet callers read it) besides `sweepId` and `scans`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SweepView } from "@/lib/scan/sweep-types.ts";
import { simEnv } from "@/test/helpers/sim.ts";
import { type Simulator, startSimulator } from "../../../sim/main.ts";

const BASE = "http://127.0.0.1:3997";
const FLEET = "111111111111/us-east-1";
const dir = mkdtempSync(path.join(tmpdir(), "fd-sweeps-api-"));

let sim: Simulator;
let scans: typeof import("../scans/route.ts");
let sweeps: typeof import("./route.ts");
let sweep: typeof import("./[id]/route.ts");

beforeAll(async () => {
  sim = await startSimulator({ scenario: "small", exec: "model", account: "111111111111" });
  // config() is read once per process: the environment is set before the first module that reads it loads.
  Object.assign(process.env, simEnv(sim.url), { FLEET_DOCTOR_DB: path.join(dir, "api.db") });
  scans = await import("../scans/route.ts");
  sweeps = await import("./route.ts");
  sweep = await import("./[id]/route.ts");
}, 60_000);

afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = (body: unknown) =>
  scans.POST(
    new Request(`${BASE}/api/scans`, {
      method: "POST",
      headers: { host: "127.0.0.1:3997", origin: BASE, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  );
const getSweep = (id: string) =>
  sweep.GET(new Request(`${BASE}/api/sweeps/${id}`, { headers: { host: "127.0.0.1:3997" } }), {
    params: Promise.resolve({ id }),
  });

async function errorOf(res: Response) {
  const body = (await res.json()) as { error: { code: string; message: string; details?: { field?: string } } };
  return { status: res.status, code: body.error.code, field: body.error.details?.field, message: body.error.message };
}

describe("POST /api/scans with fleets", () => {
  it.each([
    [{ targets: { kind: "all" }, fleets: [FLEET, "nope"] }, "fleets[1]"],
    [{ targets: { kind: "all" }, fleets: ["111111111111/us-east-1/x"] }, "fleets[0]"],
    [{ targets: { kind: "all" }, fleets: [42] }, "fleets[0]"],
    [{ targets: { kind: "all" }, fleets: [] }, "fleets"],
    [{ targets: { kind: "all" }, fleets: "some" }, "fleets"],
  ])("400 naming the bad entry: %j", async (body, field) => {
    const e = await errorOf(await post(body));
    expect(e).toMatchObject({ status: 400, code: "BAD_REQUEST", field });
    expect(e.message.startsWith(field)).toBe(true);
  });

  it("400 naming a fleet Fleet Doctor does not read", async () => {
    const e = await errorOf(await post({ targets: { kind: "all" }, fleets: [FLEET, "222222222222/eu-west-1"] }));
    expect(e).toMatchObject({ status: 400, field: "fleets[1]" });
    expect(e.message).toContain("222222222222/eu-west-1 is not a fleet Fleet Doctor reads");
    expect(e.message).toContain(FLEET);
  });

  it("202 with sweepId, scans and (one fleet) scanId; GET /api/sweeps/:id shows it to its end", async () => {
    const res = await post({ targets: { kind: "all" }, fleets: "all" });
    expect(res.status).toBe(202);
    const answer = (await res.json()) as { sweepId: string; scanId: string; scans: { fleet: string }[] };
    expect(answer.scans).toEqual([{ fleet: FLEET, scanId: answer.scanId }]);
    expect(res.headers.get("location")).toBe(`/api/sweeps/${answer.sweepId}`);
    let view: SweepView | undefined;
    for (let i = 0; i < 100; i++) {
      view = ((await (await getSweep(answer.sweepId)).json()) as { sweep: SweepView }).sweep;
      if (view.status !== "running") break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(view?.status).toBe("completed");
    expect(view?.fleets[0]).toMatchObject({
      fleet: FLEET,
      scanId: answer.scanId,
      scan: { status: "completed", done: 9 },
    });
    const list = (await (
      await sweeps.GET(new Request(`${BASE}/api/sweeps`, { headers: { host: "127.0.0.1:3997" } }))
    ).json()) as { sweeps: SweepView[] };
    expect(list.sweeps.map((s) => s.id)).toEqual([answer.sweepId]);
  }, 60_000);

  it("GET /api/sweeps/:id: 400 for a malformed id, 404 for an unknown one", async () => {
    expect(await errorOf(await getSweep("nope"))).toMatchObject({ status: 400, field: "id" });
    expect(await errorOf(await getSweep("00000000-0000-4000-8000-000000000000"))).toMatchObject({
      status: 404,
      code: "NOT_FOUND",
    });
  });

  it("without fleets (and no fleets file) it is the single-fleet scan it always was", async () => {
    const res = await post({ targets: { kind: "ids", ids: ["i-0a000000000000003"] } });
    expect(res.status).toBe(202);
    expect(Object.keys((await res.json()) as object)).toEqual(["scanId"]);
  });
});
