import { type CloudConfigWrites, cloudConfigWrites, lineStarts } from "./cloud-config-writes.ts";
import { buildConfig, type ConfigLine, type ConfigWrite, type Origin, readCheck } from "./ecs-config.ts";
import { shellWrites } from "./shell-writes.ts";
import type { CheckSetting } from "./types.ts";
import { type DecodedUserData, decodeUserData, describeLayers, type Leaf } from "./user-data.ts";

export type UserDataReading = {
  check: CheckSetting;
  /** The decoded tree (absent when the user data could not be decoded): what a fix edits. */
  decoded?: DecodedUserData;
  /** The line that decides the check, with the span a fix edits. */
  deciding?: Origin;
  /** The resulting ecs.config lines (keys other than the check are for the reader, not shown: they may be secrets). */
  config: ConfigLine[];
  /** `gzip, mime (3 parts)`, `shellscript`... */
  layers?: string;
};

const cap = (s: string, n = 200) => (s.length > n ? `${s.slice(0, n)}…` : s);

function prefixOf(leaf: Leaf): string {
  return leaf.label === "user data" ? "" : leaf.label;
}

function scriptWrites(leaf: Leaf, section: string): ConfigWrite[] {
  const starts = lineStarts(leaf.text);
  const prefix = prefixOf(leaf);
  return shellWrites(leaf.text, (i) => ({
    leafId: leaf.id,
    part: prefix ? `${prefix} ${section}` : section,
    lineNumber: i + 1,
    edit: { kind: "text", start: starts[i]!, end: starts[i + 1] ?? leaf.text.length },
  }));
}

/** The writes of every part in cloud-init's order: boothooks, bootcmd, write_files, deferred files, scripts, runcmd. */
export function orderedWrites(leaves: readonly Leaf[]): { writes: ConfigWrite[]; unreadable: string[] } {
  const unreadable: string[] = [];
  const boothooks: ConfigWrite[] = [];
  const scripts: ConfigWrite[] = [];
  // Later cloud-config parts replace earlier parts' lists (cloud-init's default merge, `list()` = replace).
  let bootcmd: ConfigWrite[] = [];
  let writeFiles: ConfigWrite[] = [];
  let deferred: ConfigWrite[] = [];
  let runcmd: ConfigWrite[] = [];
  for (const leaf of leaves) {
    if (leaf.type === "boothook") boothooks.push(...scriptWrites(leaf, "boothook"));
    else if (leaf.type === "shellscript") scripts.push(...scriptWrites(leaf, "script"));
    else if (leaf.type === "include") unreadable.push(`${leaf.label} includes content from a URL, not read`);
    else if (leaf.type === "cloud-config") {
      const c: CloudConfigWrites = cloudConfigWrites(leaf.text, leaf.id, prefixOf(leaf));
      if (c.error) unreadable.push(`${leaf.label}: ${cap(c.error)}`);
      if (c.has.bootcmd) bootcmd = c.bootcmd;
      if (c.has.writeFiles) [writeFiles, deferred] = [c.writeFiles, c.deferred];
      if (c.has.runcmd) runcmd = c.runcmd;
    }
  }
  return { writes: [...boothooks, ...bootcmd, ...writeFiles, ...deferred, ...scripts, ...runcmd], unreadable };
}

/**
 * ECS_WARM_POOLS_CHECK as the agent would read it from the ecs.config this user data leaves, with the deciding line,
 * its number and its part. Anything that writes ecs.config in a way not read makes the setting unreadable.
 */
export function readUserDataCheck(base64: string | undefined): UserDataReading {
  if (!base64) return { check: { enabled: false }, config: [], layers: "none" };
  let decoded: DecodedUserData;
  try {
    decoded = decodeUserData(base64);
  } catch (e) {
    return { check: { enabled: false, unreadable: `user data could not be decoded: ${cap(String(e))}` }, config: [] };
  }
  const { writes, unreadable } = orderedWrites(decoded.leaves);
  const file = buildConfig(writes);
  const read = readCheck(file);
  const why = [...unreadable, ...file.unreadable.map((u) => `${u.origin.part} line ${u.origin.lineNumber}: ${u.why}`)];
  const layers = describeLayers(decoded.root);
  const deciding = read.deciding?.origin;
  const check: CheckSetting = {
    enabled: read.enabled,
    ...(deciding
      ? {
          line: cap(read.deciding!.text.trim()),
          lineNumber: deciding.lineNumber,
          part: deciding.part,
          source: cap(deciding.source.trim()),
          value: cap(read.value ?? ""),
          ...(read.invalid ? { invalid: true } : {}),
        }
      : {}),
    ...(why.length > 0 ? { unreadable: why.join("; ") } : {}),
  };
  return { check, decoded, ...(deciding ? { deciding } : {}), config: file.lines, layers };
}
