/**
 * `npm run demo`: builds the dashboard when the build is missing or older than the sources, starts the fleet
 * simulator (scenario `demo`, another with `--scenario NAME`, or a generated fleet with `--hosts N`) and the
 * dashboard against it, prints the URL, and stops both on Ctrl-C.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { generateScenario } from "../sim/fleet/index.ts";
import { type Simulator, startSimulator } from "../sim/main.ts";
import { DEMO_USAGE, type DemoPlan, parseDemoArgs } from "./demo-args.ts";
import { freePort, PortTakenError, portIsFree, ROOT, type Server, simulatorEnv, startNext } from "./servers.ts";

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function buildIsStale(): boolean {
  const buildId = path.join(ROOT, process.env.NEXT_DIST_DIR || ".next", "BUILD_ID");
  if (!existsSync(buildId)) return true;
  const built = statSync(buildId).mtimeMs;
  return ["app", "components", "lib"].some(
    (d) => existsSync(path.join(ROOT, d)) && newestMtime(path.join(ROOT, d)) > built,
  );
}

/**
 * The dashboard's port: PORT when set (a taken one is an error naming it: the person asked for that port), else
 * 3000, or a free port when another program holds 3000, and the demo says so.
 */
async function demoPort(asked: string | undefined): Promise<number> {
  if (asked) {
    const port = Number(asked);
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new Error(`PORT must be a port number, not '${asked}'`);
    if (!(await portIsFree(port))) {
      throw new Error(`PORT ${port} is already in use by another program: stop it, or set PORT to a free port.`);
    }
    return port;
  }
  if (await portIsFree(3000)) return 3000;
  const port = await freePort();
  console.log(`Port 3000 is already in use by another program; the dashboard takes port ${port} instead.`);
  return port;
}

let sim: Simulator | undefined;

async function main() {
  let plan: DemoPlan;
  try {
    plan = parseDemoArgs(process.argv.slice(2), process.env, ROOT);
  } catch (e) {
    console.error(`demo: ${(e as Error).message}\n\n${DEMO_USAGE}`);
    process.exit(2);
  }
  if (plan.kind === "help") {
    console.log(DEMO_USAGE);
    return;
  }
  // The port first: a taken one is said before a minute of building, not after.
  const port = await demoPort(process.env.PORT);
  if (buildIsStale()) {
    console.log("Building the dashboard (once; about a minute)...");
    execFileSync(path.join(ROOT, "node_modules", ".bin", "next"), ["build"], { cwd: ROOT, stdio: "inherit" });
  }
  const servers: Server[] = [];
  let stopping = false;
  const stopAll = async () => {
    if (stopping) return;
    stopping = true;
    await Promise.all(servers.map((s) => s.stop()));
    await sim?.close();
    process.exit(0);
  };
  process.on("SIGINT", stopAll);
  process.on("SIGTERM", stopAll);

  // The simulator runs in this process (its sandbox is a temp folder removed on stop); the dashboard reaches it
  // the way it would reach AWS, through the endpoint override and some credentials.
  // A generated fleet's probes are rendered in-process: a bash per host would take minutes for thousands of hosts.
  sim =
    plan.kind === "generated"
      ? await startSimulator({ scenario: generateScenario({ hosts: plan.hosts, seed: plan.seed }), exec: "model" })
      : await startSimulator({ scenario: plan.scenario });
  console.log(
    plan.kind === "generated"
      ? `Fleet simulator (${plan.hosts} generated hosts; scans kept in ${plan.dbPath}) at ${sim.url}`
      : `Fleet simulator (scenario ${plan.scenario}${plan.fleetsFile ? `; fleets from ${path.relative(ROOT, plan.fleetsFile)}` : ""}) at ${sim.url}`,
  );
  const app = await startNext(
    {
      ...simulatorEnv(sim.url),
      ...(plan.kind === "generated" ? { FLEET_DOCTOR_DB: plan.dbPath } : {}),
      // A scenario of many accounts comes with its fleets file; any other reads the one default fleet, whatever
      // fleets file the shell may name (its accounts are not the simulator's).
      FLEET_DOCTOR_FLEETS: plan.kind === "scenario" ? (plan.fleetsFile ?? "") : "",
    },
    port,
  );
  servers.push(app);
  console.log(`\nFleet Doctor is running at ${app.url}\nPress Ctrl-C to stop.`);
}

main().catch(async (e) => {
  console.error(
    e instanceof PortTakenError
      ? `demo: ${e.message}; set PORT to a free port, or stop that program.`
      : `demo: ${(e as Error).message}`,
  );
  await sim?.close().catch(() => {});
  process.exit(1);
});
