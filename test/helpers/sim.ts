/**
 * Test helper (never imported by the app): the fleet simulator in this process, its call log, and the environment
 * that points the AWS SDK at it. Only test code under test/ knows sim/ exists; lib/ and app/ never import it.
 */
import { type Simulator, startSimulator } from "../../sim/main.ts";

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
