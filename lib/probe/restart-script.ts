import { FleetDoctorError } from "../errors.ts";
import { ACTION_KINDS, type ActionKind } from "./restart-report.ts";
import { readProbeFile } from "./scripts.ts";

export { ACTION_KINDS, type ActionKind };

let source: string[] | undefined;

function lines(): string[] {
  source ??= readProbeFile("restart.sh").replace(/\n$/, "").split("\n");
  return source;
}

/**
 * The `commands` of AWS-RunShellScript for a remedy: restart.sh, line by line. Only lines 2-4 change, to one of
 * two fixed mode constants and a wait that must be an integer in range: no request text ever reaches the script.
 */
export function restartCommands(kind: ActionKind, opts: { waitSeconds: number }): string[] {
  if (!ACTION_KINDS.includes(kind)) throw new FleetDoctorError("BAD_REQUEST", `Unknown remedy ${String(kind)}.`);
  const wait = opts.waitSeconds;
  if (!Number.isInteger(wait) || wait < 10 || wait > 900) {
    throw new FleetDoctorError("BAD_REQUEST", "The restart wait must be an integer from 10 to 900 seconds.");
  }
  const out = [...lines()];
  if (
    out[1] !== "# fleet-doctor-restart schema=1 mode=restart" ||
    out[2] !== "FD_MODE=restart" ||
    out[3] !== "FD_WAIT=90"
  ) {
    throw new FleetDoctorError("INTERNAL", "restart.sh does not start with its expected header.");
  }
  out[1] = `# fleet-doctor-restart schema=1 mode=${kind}`;
  out[2] = `FD_MODE=${kind}`;
  out[3] = `FD_WAIT=${wait}`;
  return out;
}
