import { readFileSync } from "node:fs";
import path from "node:path";

let probeLines: string[] | undefined;

// Static URLs, one per script: a bundler (Turbopack) resolves `new URL("./x.sh", import.meta.url)` to the emitted
// asset only when the path is a literal; a template (`./${name}`) matched README.md in the Next.js build.
const SCRIPT_URLS: Record<string, () => URL> = {
  "probe.sh": () => new URL("./probe.sh", import.meta.url),
  "restart.sh": () => new URL("./restart.sh", import.meta.url),
};

/** Reads a shell script shipped in lib/probe: next to this module, or from the project folder when bundled. */
export function readProbeFile(name: string): string {
  try {
    const url = SCRIPT_URLS[name];
    if (!url) throw new Error(`unknown script ${name}`);
    return readFileSync(url(), "utf8");
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
