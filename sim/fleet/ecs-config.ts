/**
 * ecs.config as ecs-init really reads it (facts/ecs-agent.md): `/var/lib/ecs/ecs.config` first, then
 * `/etc/ecs/ecs.config`; each line trimmed, split at the first `=`, lines without `=` skipped, no unquoting, no
 * comment stripping, the last occurrence of a key wins. The agent then parses booleans with Go's strconv.ParseBool.
 */

export function parseEcsConfig(...files: (string | undefined)[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const text of files) {
    if (text === undefined) continue;
    for (const raw of text.split("\n")) {
      const line = raw.trim();
      const eq = line.indexOf("=");
      if (eq < 0) continue;
      out.set(line.slice(0, eq), line.slice(eq + 1));
    }
  }
  return out;
}

/** Go strconv.ParseBool after strings.TrimSpace: undefined means "invalid syntax". */
export function goParseBool(value: string): boolean | undefined {
  switch (value.trim()) {
    case "1":
    case "t":
    case "T":
    case "true":
    case "TRUE":
    case "True":
      return true;
    case "0":
    case "f":
    case "F":
    case "false":
    case "FALSE":
    case "False":
      return false;
    default:
      return undefined;
  }
}

/** Renders a scenario's config (raw text, or key/value pairs in order) as the file's text. */
export function renderEcsConfig(config: string | Record<string, string>): string {
  if (typeof config === "string") return config;
  return Object.entries(config)
    .map(([k, v]) => `${k}=${v}\n`)
    .join("");
}
