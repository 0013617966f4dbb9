import { readFileSync } from "node:fs";
import { FleetDoctorError } from "../errors.ts";
import { PROBE_MARKER } from "./report-schema.ts";

let probeLines: string[] | undefined;

/**
 * Reads a shell script shipped in lib/probe. Each path is a literal `new URL("./x.sh", import.meta.url)` inside
 * readFileSync: that is the form a bundler (Turbopack) resolves to the emitted asset. A template (`./${name}`)
 * matched README.md in the Next.js build, and any indirection makes it trace the whole project instead.
 */
export function readProbeFile(name: "probe.sh" | "restart.sh"): string {
  switch (name) {
    case "probe.sh":
      return readFileSync(new URL("./probe.sh", import.meta.url), "utf8");
    case "restart.sh":
      return readFileSync(new URL("./restart.sh", import.meta.url), "utf8");
    default:
      throw new FleetDoctorError("INTERNAL", `unknown script ${String(name)}`);
  }
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
