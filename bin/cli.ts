import { readFileSync } from "node:fs";
import { exitCodeFor, isFleetDoctorError } from "../lib/errors.ts";

/** A subcommand: `run` gets the arguments after its name and returns the exit code. */
export type Command = { run(argv: string[]): Promise<number> };

type Entry = { summary: string; usage: string; load: () => Promise<Command> };

/** Every subcommand, loaded only when used so `--help` stays instant. Add new ones here. */
const COMMANDS: Record<string, Entry> = {
  restart: {
    summary: "restart the ECS agent where the diagnosis says it will work; verified and audited",
    usage: "restart i-... [--disable-check] [--force --reason TEXT] [--json]",
    load: () => import("./commands/restart.ts").then((m) => m.default),
  },
  scan: {
    summary: "probe instances through SSM, diagnose them, print a triage table",
    usage: "scan [--tag K=V | --group NAME | --ids i-..,i-..] [--fleet A/R].. [--account A] [--region R] [--json]",
    load: () => import("./commands/scan.ts").then((m) => m.default),
  },
  instances: {
    summary: "the latest diagnosis of every instance, from the store",
    usage: "instances [--verdict V] [--group NAME] [--fleet A/R] [--account ID] [--region R] [--json]",
    load: () => import("./commands/instances.ts").then((m) => m.default),
  },
  fleets: {
    summary: "the fleets (account x region) it reads, each with its error, and those only in the store",
    usage: "fleets [--json]",
    load: () => import("./commands/fleets.ts").then((m) => m.default),
  },
  instance: {
    summary: "one instance's latest diagnosis and history, from the store (--fleet when the id is in several)",
    usage: "instance i-... [--fleet ACCOUNT/REGION] [--json]",
    load: () => import("./commands/instance.ts").then((m) => m.default),
  },
  groups: {
    summary: "which Auto Scaling groups' next launches will fail (launch template user data, image), and the fix",
    usage: "groups [fix NAME] [--fleet ACCOUNT/REGION] [--json]",
    load: () => import("./commands/groups.ts").then((m) => m.default),
  },
  diagnose: {
    summary: "diagnose one probe output (raw JSON line or SSM Output)",
    usage: "diagnose [FILE|-] [--json]",
    load: () => import("./commands/diagnose.ts").then((m) => m.default),
  },
  watch: {
    summary: "watch the fleet in the foreground: probe what changed, full scans on a schedule (one leader)",
    usage: "watch [--interval SECONDS] [--stale SECONDS] [--json]",
    load: () => import("./commands/watch.ts").then((m) => m.default),
  },
  sim: {
    summary: "run the AWS-compatible fleet simulator (SSM + Auto Scaling) on 127.0.0.1",
    usage: "sim [--port 0] [--scenario demo|PATH] [--hosts N] [--exec bash|model]",
    load: () => import("./commands/sim.ts"),
  },
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

function help(): string {
  const width = Math.max(...Object.values(COMMANDS).map((c) => c.usage.length), 20);
  const lines = Object.values(COMMANDS).map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`);
  return [
    "fleet-doctor: find and fix EC2 container instances whose ECS agent failed to start",
    "",
    "Usage: fleet-doctor <command> [options]",
    "",
    "Commands:",
    ...lines,
    "",
    "Options:",
    "  -h, --help     show this help (or `fleet-doctor <command> --help`)",
    "  -v, --version  print the version",
    "",
    "Exit codes: 0 ok (nothing needs attention), 1 something needs attention, 2 bad input, 3 AWS unreachable.",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "-h" || name === "--help" || name === "help") {
    console.log(help());
    return 0;
  }
  if (name === "-v" || name === "--version") {
    console.log(version());
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    console.error(`fleet-doctor: unknown command '${name}'. Run 'fleet-doctor --help' for the list.`);
    return 2;
  }
  try {
    const command = await entry.load();
    return await command.run(rest);
  } catch (e) {
    console.error(`fleet-doctor ${name}: ${isFleetDoctorError(e) ? e.message : String((e as Error)?.message ?? e)}`);
    return exitCodeFor(e);
  }
}

export const commandNames = () => Object.keys(COMMANDS);
