/**
 * Without a fleets file every restart, preflight, autopilot call and page lists the one default fleet: STS is asked
 * once per process for it, not once per request.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { simCalls, simEnv, startSim } from "../../test/helpers/sim.ts";
import { parseConfig } from "../config.ts";
import { listFleets } from "./list-fleets.ts";

let sim: Awaited<ReturnType<typeof startSim>>;
const saved = { ...process.env };

beforeAll(async () => {
  sim = await startSim("small");
  Object.assign(process.env, simEnv(sim.url), { FLEET_DOCTOR_FLEETS: "" });
}, 60_000);
afterAll(async () => {
  process.env = saved;
  await sim?.close();
});

it("names the default fleet with one GetCallerIdentity, however often it is listed", async () => {
  const config = parseConfig(process.env);
  const views = await Promise.all([listFleets(config), listFleets(config)]);
  views.push(await listFleets(config));
  for (const v of views) expect(v).toMatchObject({ source: "default", targets: [{ id: "123456789012/us-east-1" }] });
  expect(await simCalls(sim.url, "GetCallerIdentity")).toHaveLength(1);
});
