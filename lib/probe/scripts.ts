import { readFileSync } from "node:fs";
import path from "node:path";

let probeLines: string[] | undefined;

/** Reads a shell script shipped in lib/probe: next to this module, or from the project folder when bundled. */
export function readProbeFile(name: string): string {
  try {
    return readFileSync(new URL(`./${name}`, import.meta.url), "utf8");
  } catch {
    // Inside a Next.js server bundle import.meta.url may not point at lib/probe: fall back to the project folder.
    return readFileSync(path.join(process.cwd(), "lib", "probe", name), "utf8");
  }
}

/** probe.sh as the `commands` of AWS-RunShellScript: one list item per line (read once, then cached). */
export function probeCommands(): string[] {
  probeLines ??= readProbeFile("probe.sh").replace(/\n$/, "").split("\n");
  return [...probeLines];
}
