/** Test support: a fleet served by a bare HTTP server on port 0, in a temporary sandbox root. */
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Fleet } from "../fleet-types.ts";
import { createFleet } from "./fleet.ts";
import { parseScenario } from "./load-scenario.ts";
import type { Scenario, ScenarioInput } from "./scenario-schema.ts";

export type TestFleet = { fleet: Fleet; url: string; root: string; close(): Promise<void> };

export async function startFleet(
  scenario: Scenario | ScenarioInput,
  opts: { exec?: "bash" | "model"; maxProcesses?: number } = {},
): Promise<TestFleet> {
  const parsed = parseScenario(scenario, "test");
  let fleet: Fleet | undefined;
  const server = http.createServer((req, res) => {
    if (!fleet?.handle(req, res)) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const root = mkdtempSync(path.join(tmpdir(), "fleet-test-"));
  fleet = await createFleet(parsed, {
    exec: opts.exec ?? "bash",
    sandboxRoot: root,
    baseUrl: url,
    maxProcesses: opts.maxProcesses,
  });
  const f = fleet;
  return {
    fleet: f,
    url,
    root,
    close: async () => {
      await f.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Runs a bash snippet on a host and returns its stdout (throws with stderr when it exits non-zero and must not). */
export async function sh(fleet: Fleet, id: string, script: string, timeout = 20): Promise<string> {
  const r = await fleet.run(id, script.split("\n"), { executionTimeoutSeconds: timeout });
  return r.stdout;
}

/** A scenario with one host; `host` overrides the defaults. */
export function oneHost(
  host: Partial<ScenarioInput["hosts"][number]>,
  extra: Partial<ScenarioInput> = {},
): ScenarioInput {
  return {
    name: "one",
    timing: { lifecycleFailureSeconds: 1, publishDelaySeconds: 1, ...(extra.timing ?? {}) },
    groups: extra.groups ?? [{ name: "web" }, { name: "batch", warmPool: { poolState: "Running" } }],
    hosts: [{ id: "i-0123456789abcdef0", agentVersion: "1.89.3", launchedAgo: "1h", ...host }],
  };
}

export const ID = "i-0123456789abcdef0";

/**
 * A shell command printing a whole log (`ecs-agent.log` or `ecs-init.log`) oldest first: its rotated files, then the
 * current one. Hourly rotation means a test that reads only the current file loses the lines written before the hour
 * turned, so one run near hh:00 would see a different log than the rest.
 */
export const wholeLog = (name: "ecs-agent.log" | "ecs-init.log") =>
  `cat $(ls -1tr "$FLEET_DOCTOR_ROOT/var/log/ecs/${name}"* 2>/dev/null) 2>/dev/null`;

/**
 * One host per reason an instance does not join its cluster (issue 16), and a trap: the causes as the simulator
 * models them, for the host-model, ECS and modes-agree tests.
 */
export const JOIN_FAILURES: ScenarioInput = {
  name: "join-failures",
  timing: { lifecycleFailureSeconds: 5, publishDelaySeconds: 30 },
  groups: [{ name: "web" }],
  hosts: [
    {
      id: "i-0f160000000000001",
      name: "debian-404",
      os: "debian",
      agentVersion: "1.89.3",
      launchedAgo: "1h",
      ecsConfig: { ECS_CLUSTER: "prod", ECS_WARM_POOLS_CHECK: "true" },
    },
    { id: "i-0f160000000000002", name: "ubuntu-ok", os: "ubuntu", agentVersion: "1.97.1", launchedAgo: "2h" },
    { id: "i-0f160000000000003", name: "docker-failed", agentVersion: "1.97.1", launchedAgo: "2h", docker: "failed" },
    {
      id: "i-0f160000000000004",
      name: "docker-inactive",
      agentVersion: "1.97.1",
      launchedAgo: "30m",
      docker: "inactive",
    },
    {
      id: "i-0f160000000000005",
      name: "disk-full",
      agentVersion: "1.97.1",
      launchedAgo: "1h",
      failure: "disk-full",
      diskFull: "/var/lib/ecs",
    },
    {
      id: "i-0f160000000000006",
      name: "docker-volume-full",
      agentVersion: "1.97.1",
      launchedAgo: "1h",
      diskFull: "/var/lib/docker",
    },
    { id: "i-0f160000000000007", name: "proxy-config", agentVersion: "1.97.1", launchedAgo: "1h", proxy: "config" },
    {
      id: "i-0f160000000000008",
      name: "proxy-unit",
      agentVersion: "1.97.1",
      launchedAgo: "1h",
      proxy: "unit",
      ecsConfig: { ECS_CLUSTER: "prod", AWS_DEFAULT_REGION: "us-east-1" },
    },
    { id: "i-0f160000000000009", name: "disabled", agentVersion: "1.97.1", launchedAgo: "3h", ecsUnit: "disabled" },
    {
      id: "i-0f16000000000000a",
      name: "cluster-not-found",
      agentVersion: "1.93.1",
      launchedAgo: "1h",
      failure: "cluster-not-found",
      ecsConfig: { ECS_CLUSTER: "prdo" },
    },
    {
      id: "i-0f16000000000000b",
      name: "cluster-not-found-old",
      agentVersion: "1.85.0",
      launchedAgo: "1h",
      failure: "cluster-not-found",
      ecsConfig: { ECS_CLUSTER: "stagign" },
    },
    { id: "i-0f16000000000000c", name: "docker-api", agentVersion: "1.70.2", launchedAgo: "1h", failure: "docker-api" },
    { id: "i-0f16000000000000d", name: "clock-skew", agentVersion: "1.90.0", launchedAgo: "1h", failure: "clock-skew" },
    {
      id: "i-0f16000000000000e",
      name: "instance-type",
      agentVersion: "1.97.1",
      launchedAgo: "1h",
      failure: "instance-type",
    },
    { id: "i-0f16000000000000f", name: "cgroups-old", agentVersion: "1.57.1", launchedAgo: "1h", failure: "cgroups" },
    {
      id: "i-0f160000000000010",
      name: "cloud-init",
      agentVersion: "1.105.0",
      launchedAgo: "1h",
      failure: "cloud-init",
    },
    {
      id: "i-0f160000000000011",
      name: "state-mismatch",
      agentVersion: "1.97.1",
      launchedAgo: "1h",
      failure: "state-mismatch",
    },
    { id: "i-0f160000000000012", name: "acs-lost", agentVersion: "1.97.1", launchedAgo: "2h", acs: "disconnected" },
    {
      id: "i-0f160000000000013",
      name: "trap-fixed-404",
      agentVersion: "1.91.1",
      launchedAgo: "4h",
      ecsConfig: { ECS_CLUSTER: "prod", ECS_WARM_POOLS_CHECK: "true" },
      group: { name: "web", joinedAgo: "3h" },
      fixedTrouble: "lifecycle-404",
    },
  ],
};
