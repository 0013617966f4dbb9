/**
 * Test helper (never imported by the app): the fleet simulator in this process, its call log, and the environment
 * that points the AWS SDK at it. Only test code under test/ knows sim/ exists; lib/ and app/ never import it.
 */

import type { Scenario } from "../../sim/fleet/index.ts";
import type { Fleet } from "../../sim/fleet-types.ts";
import { createSimulator, realFleet, type Simulator, type SimulatorOptions, startSimulator } from "../../sim/main.ts";

export function startSim(scenario = "small"): Promise<Simulator> {
  return startSimulator({ scenario, exec: "bash" });
}

export type SimCall = { seq: number; op: string; at: string; params: Record<string, unknown> };

export async function simCalls(url: string, op?: string): Promise<SimCall[]> {
  const res = await fetch(`${url}/_sim/calls${op ? `?op=${op}` : ""}`);
  return ((await res.json()) as { calls: SimCall[] }).calls;
}

/** SendCommand calls that carried the restart script (its marker line), optionally for one instance. */
export async function restartSends(url: string, instanceId?: string): Promise<SimCall[]> {
  const sends = await simCalls(url, "SendCommand");
  return sends.filter((c) => {
    const p = c.params as { Parameters?: { commands?: string[] }; InstanceIds?: string[] };
    const isRestart = p.Parameters?.commands?.[1]?.startsWith("# fleet-doctor-restart") ?? false;
    return isRestart && (!instanceId || (p.InstanceIds ?? []).includes(instanceId));
  });
}

export function simEnv(url: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: url,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
}

/** What an AWS SDK client needs to talk to the simulator directly (tests that drive one client by hand). */
export function simClientConfig(url: string) {
  return { endpoint: url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
}

/**
 * The simulator over its real fleet with some of the fleet's methods replaced (a host that writes too much, a host
 * that vanishes): `override` gets the real fleet and returns the replacements; every other method is the real one.
 */
export function startSimOverriding(
  opts: SimulatorOptions<Scenario>,
  override: (real: Fleet) => Partial<Fleet>,
): Promise<Simulator> {
  return createSimulator(opts, {
    ...realFleet,
    create: async (scenario, o) => {
      const f = await realFleet.create(scenario, o);
      const real: Fleet = {
        hosts: () => f.hosts(),
        host: (id) => f.host(id),
        groups: () => f.groups(),
        membership: (id) => f.membership(id),
        clusters: () => f.clusters(),
        containerInstances: () => f.containerInstances(),
        attach: (g, ids) => f.attach(g, ids),
        detach: (g, ids, d) => f.detach(g, ids, d),
        run: (id, commands, options) => f.run(id, commands, options),
        timing: (id) => f.timing(id),
        describe: (id) => f.describe(id),
        handle: (req, res) => f.handle(req, res),
        scaling: f.scaling,
        close: () => f.close(),
      };
      return { ...real, ...override(real) };
    },
  });
}
