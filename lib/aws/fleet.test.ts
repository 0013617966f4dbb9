import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator } from "../../sim/main.ts";
import { identifyFleet } from "./fleet.ts";

let sim: Awaited<ReturnType<typeof startSimulator>>;

beforeAll(async () => {
  sim = await startSimulator({ scenario: "small", exec: "model", account: "210987654321" });
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  });
}, 30_000);

afterAll(async () => {
  await sim?.close();
});

describe("identifyFleet", () => {
  it("names the fleet by STS GetCallerIdentity's account and the configured region", async () => {
    process.env.AWS_ENDPOINT_URL = sim.url;
    const fleet = await identifyFleet({ region: "eu-west-1", maxAttempts: 2 });
    expect(fleet).toEqual({
      id: "210987654321/eu-west-1",
      account: "210987654321",
      region: "eu-west-1",
      source: "sts",
    });
    const calls = (await (await fetch(`${sim.url}/_sim/calls?op=GetCallerIdentity`)).json()) as { calls: unknown[] };
    expect(calls.calls).toHaveLength(1);
  });

  it("falls back to the endpoint when it has no STS", async () => {
    // The simulator's SSM endpoint path answers no STS: point STS alone at a port where nothing listens.
    const env = { AWS_ENDPOINT_URL: sim.url, AWS_ENDPOINT_URL_STS: "http://127.0.0.1:9" };
    const saved = process.env.AWS_ENDPOINT_URL_STS;
    process.env.AWS_ENDPOINT_URL_STS = env.AWS_ENDPOINT_URL_STS;
    try {
      const fleet = await identifyFleet({ region: "us-east-1", maxAttempts: 1 }, env);
      expect(fleet).toMatchObject({ id: "127.0.0.1:9/us-east-1", source: "endpoint" });
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_STS;
      else process.env.AWS_ENDPOINT_URL_STS = saved;
    }
  });
});
