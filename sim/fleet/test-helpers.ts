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
