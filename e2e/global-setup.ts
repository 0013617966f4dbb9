import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { FullConfig } from "@playwright/test";
import { simulatorEnv, startNext, startSimProcess } from "../bin/servers.ts";

/**
 * Starts the production build on a free port with a throw-away database. Safety rail: it refuses to run when the
 * environment points at anything but a local endpoint, so an e2e run can never touch a real AWS account.
 */
export default async function globalSetup(_config: FullConfig) {
  for (const name of ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SSM", "AWS_ENDPOINT_URL_AUTO_SCALING"]) {
    const value = process.env[name];
    if (value && !/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/?$/.test(value)) {
      throw new Error(`Refusing to run end-to-end tests with ${name}=${value}: only a local simulator is allowed.`);
    }
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), "fleet-doctor-e2e-"));
  // The simulator runs as its own process with a fresh sandbox (removed when it stops) and the demo scenario.
  const sim = await startSimProcess(process.env.FLEET_DOCTOR_SCENARIO || "demo");
  let app: Awaited<ReturnType<typeof startNext>>;
  try {
    app = await startNext({
      FLEET_DOCTOR_DB: path.join(dataDir, "e2e.db"),
      // The shared server never watches: the specs own what is scanned; those that need the watcher start their own.
      FLEET_DOCTOR_WATCH: "off",
      ...simulatorEnv(sim.url),
    });
  } catch (e) {
    await sim.stop();
    throw e;
  }
  process.env.FLEET_DOCTOR_E2E_URL = app.url;
  process.env.FLEET_DOCTOR_SIM_URL = sim.url;
  // Specs that scan a second fleet into the same database (with the CLI) need its path.
  process.env.FLEET_DOCTOR_E2E_DB = path.join(dataDir, "e2e.db");

  return async () => {
    await app.stop();
    await sim.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
