/**
 * /etc/ecs/ecs.config as user data leaves it, and ECS_WARM_POOLS_CHECK as the agent then reads it
 * (facts/ecs-agent.md, "How ecs.config is really read").
 */

export const ECS_CONFIG_PATH = "/etc/ecs/ecs.config";
export const CHECK_KEY = "ECS_WARM_POOLS_CHECK";

/** Where a config line came from, and the span of the user data a fix would edit to change it. */
export type Origin = {
  leafId: string;
  /** `script`, `boothook`, `cloud-config write_files`, `cloud-config runcmd`, prefixed by `mime part N` in MIME. */
  part: string;
  /** 1-based line in the decoded leaf. */
  lineNumber: number;
  /** The user-data line as written (capped). */
  source: string;
  edit: TextEdit | EncodedEdit;
};

/** Replace inside [start, end) of the leaf's text. */
export type TextEdit = { kind: "text"; start: number; end: number };
/** A write_files content that is encoded: decode, change, encode again, put back in [start, end). */
export type EncodedEdit = {
  kind: "encoded";
  start: number;
  end: number;
  encoding: "b64" | "gzip+b64";
  /** The quote the scalar was written with, kept on the new value. */
  quote: "" | "'" | '"';
};

export type ConfigWrite =
  | { op: "write"; append: boolean; content: string; origin: Origin; lineOrigins?: Origin[] }
  | { op: "sed-sub"; pattern: RegExp; replacement: string; origin: Origin }
  | { op: "sed-delete"; pattern: RegExp; origin: Origin }
  | { op: "unreadable"; why: string; origin: Origin };

export type ConfigLine = { text: string; origin: Origin };

export type ConfigFile = { lines: ConfigLine[]; unreadable: { why: string; origin: Origin }[] };

/** Applies the writes in the order cloud-init runs them, starting from an empty file. */
export function buildConfig(writes: readonly ConfigWrite[]): ConfigFile {
  let lines: ConfigLine[] = [];
  // Whether the last line has no newline yet: the next append continues it (printf without \n, then echo >>).
  let open = false;
  const unreadable: ConfigFile["unreadable"] = [];
  for (const w of writes) {
    if (w.op === "unreadable") {
      unreadable.push({ why: w.why, origin: w.origin });
    } else if (w.op === "write") {
      if (!w.append) {
        lines = [];
        open = false;
      }
      const segs = w.content.split("\n");
      const endsOpen = !w.content.endsWith("\n");
      if (!endsOpen) segs.pop();
      segs.forEach((text, i) => {
        const origin = w.lineOrigins?.[i] ?? w.origin;
        if (i === 0 && open && lines.length > 0) {
          const last = lines[lines.length - 1]!;
          lines[lines.length - 1] = { text: last.text + text, origin };
        } else {
          lines.push({ text, origin });
        }
      });
      if (w.content !== "") open = endsOpen;
    } else if (w.op === "sed-sub") {
      lines = lines.map((l) => {
        const text = l.text.replace(w.pattern, w.replacement);
        return text === l.text ? l : { text, origin: w.origin };
      });
    } else {
      lines = lines.filter((l) => !w.pattern.test(l.text));
    }
  }
  return { lines, unreadable };
}

/** Go's strconv.ParseBool. */
const TRUE = new Set(["1", "t", "T", "true", "TRUE", "True"]);
const FALSE = new Set(["0", "f", "F", "false", "FALSE", "False"]);

export type CheckRead = {
  /** The check is on: the value is one ParseBool reads as true. */
  enabled: boolean;
  /** The deciding line (the last one whose key is exactly ECS_WARM_POOLS_CHECK), if any. */
  deciding?: ConfigLine;
  /** Its 1-based number in the resulting ecs.config. */
  configLine?: number;
  value?: string;
  /** The agent would log `Invalid format for "ECS_WARM_POOLS_CHECK", expected a boolean` and leave the check off. */
  invalid: boolean;
};

/**
 * ecs-init's reading: each line trimmed, split at the first `=`, no `=` skipped, no unquoting, no comment stripping
 * (`#ECS_...` is another key), last one wins; the agent then trims the value and reads it with ParseBool, anything
 * else (quoted `"true"`, `yes`, `true # note`) leaving the check off.
 */
export function readCheck(file: ConfigFile): CheckRead {
  let hit: { line: ConfigLine; n: number; value: string } | undefined;
  file.lines.forEach((line, i) => {
    const t = line.text.trim();
    const eq = t.indexOf("=");
    if (eq < 0) return;
    if (t.slice(0, eq) === CHECK_KEY) hit = { line, n: i + 1, value: t.slice(eq + 1) };
  });
  if (!hit) return { enabled: false, invalid: false };
  const v = hit.value.trim();
  return {
    enabled: TRUE.has(v),
    deciding: hit.line,
    configLine: hit.n,
    value: hit.value,
    invalid: !TRUE.has(v) && !FALSE.has(v),
  };
}
