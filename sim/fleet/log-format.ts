/**
 * Agent and ecs-init log lines in the formats the real binaries write (facts/ecs-agent.md):
 * logfmt by default, JSON with ECS_LOG_OUTPUT_FORMAT=json, and `2019-02-15T01:25:23Z [INFO] message` before 1.36.
 */

export type Level = "trace" | "debug" | "info" | "warn" | "error" | "critical";
export type LogFormat = "logfmt" | "json" | "bracket";
export type LogFields = [string, string][];

let lastSecond = Number.NaN;
let lastStamp = "";

/** RFC 3339, UTC, whole seconds: `2025-02-04T07:02:16Z` (memoised: lines come in bursts within one second). */
export function rfc3339(ms: number): string {
  const sec = Math.floor(ms / 1000);
  if (sec !== lastSecond) {
    lastSecond = sec;
    lastStamp = `${new Date(sec * 1000).toISOString().slice(0, 19)}Z`;
  }
  return lastStamp;
}

/** Go's %q for the ASCII text we write (the same escapes as JSON for quotes, backslashes and control characters). */
function goQuote(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what needs escaping
  if (!/["\\\x00-\x1f\x7f]/.test(s)) return `"${s}"`;
  return JSON.stringify(s).replace(/\\u00([0-9a-f]{2})/g, "\\x$1");
}

export function formatLine(
  format: LogFormat,
  level: Level,
  at: number,
  msg: string,
  opts: { module?: string; fields?: LogFields } = {},
): string {
  const fields = opts.fields ?? [];
  if (format === "bracket") {
    const extra = fields.map(([k, v]) => ` ${k}=${v}`).join("");
    return `${rfc3339(at)} [${level.toUpperCase()}] ${msg}${extra}`;
  }
  if (format === "json") {
    const obj: Record<string, string> = { level, time: rfc3339(at), msg };
    if (fields.length === 0 && opts.module) obj.module = opts.module;
    for (const [k, v] of fields) obj[k] = v;
    return JSON.stringify(obj);
  }
  // Lines with extra fields drop `module=` and add the fields.
  const tail =
    fields.length > 0
      ? fields.map(([k, v]) => ` ${k}=${goQuote(v)}`).join("")
      : opts.module
        ? ` module=${opts.module}`
        : "";
  return `level=${level} time=${rfc3339(at)} msg=${goQuote(msg)}${tail}`;
}

/** Go's time.Duration.String() for durations under a minute: `2.468013577s`. */
export function goDuration(ms: number, nanosJitter = 0): string {
  const ns = Math.round(ms * 1e6) + nanosJitter;
  if (ns >= 60e9) {
    const m = Math.floor(ns / 60e9);
    return `${m}m${goDuration((ns - m * 60e9) / 1e6)}`;
  }
  const whole = Math.floor(ns / 1e9);
  const frac = String(ns % 1e9)
    .padStart(9, "0")
    .replace(/0+$/, "");
  return frac ? `${whole}.${frac}s` : `${whole}s`;
}
