import { readFileSync } from "node:fs";
import { FleetDoctorError } from "../errors.ts";
import { PROBE_MARKER } from "./report-schema.ts";

let probeLines: string[] | undefined;

// Static URLs, one per script: a bundler (Turbopack) resolves `new URL("./x.sh", import.meta.url)` to the emitted
// asset only when the path is a literal; a template (`./${name}`) matched README.md in the Next.js build. There is
// deliberately no fallback to a path under process.cwd(): it made the server bundle trace the whole project, and a
// script that cannot be found must fail loudly rather than send something else.
const SCRIPT_URLS: Record<string, () => URL> = {
  "probe.sh": () => new URL("./probe.sh", import.meta.url),
  "restart.sh": () => new URL("./restart.sh", import.meta.url),
};

/** Reads a shell script shipped in lib/probe. */
export function readProbeFile(name: string): string {
  const url = SCRIPT_URLS[name];
  if (!url) throw new FleetDoctorError("INTERNAL", `unknown script ${name}`);
  return readFileSync(url(), "utf8");
}

/** probe.sh as the `commands` of AWS-RunShellScript: one list item per line (read once, then cached). */
export function probeCommands(): string[] {
  if (!probeLines) {
    const lines = readProbeFile("probe.sh").replace(/\n$/, "").split("\n");
    // What runs on instances must be the shipped probe and nothing else.
    if (lines[1] !== PROBE_MARKER) throw new FleetDoctorError("INTERNAL", "probe.sh does not carry the probe marker");
    probeLines = lines;
  }
  return [...probeLines];
}
