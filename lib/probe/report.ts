import { type ProbeReport, probeReportSchema } from "./report-schema.ts";

export type ParsedProbeOutput =
  | { ok: true; report: ProbeReport; stderr?: string; truncated: boolean }
  | { ok: false; error: string; stderr?: string; truncated: boolean };

/** What the SSM agent puts between stdout and stderr in a plugin's Output (facts/aws-api.md). */
export const SSM_ERROR_SEPARATOR = "\n----------ERROR-------\n";
const TRUNCATION_MARKERS = ["\n---Output truncated---", "\n---Error truncated----", "---Output truncated---"];
/** Output longer than this is not a probe's; read only its start (StandardOutputContent holds at most 24,000). */
const MAX_INPUT = 65_536;
const MAX_STDERR = 2_000;
const MAX_ERROR = 300;

/**
 * Turns a probe's output as SSM returns it (plugin Output, or StandardOutputContent) into a validated report, or a
 * failure that says what was wrong. Accepts noise before the JSON (shell warnings, MOTD), the ERROR separator with
 * stderr after it, and truncation markers. Never throws.
 */
export function parseProbeOutput(output: string): ParsedProbeOutput {
  try {
    return parse(output);
  } catch (e) {
    return {
      ok: false,
      error: clip(`unreadable probe output (${String((e as Error)?.message ?? e)})`),
      truncated: false,
    };
  }
}

function parse(output: unknown): ParsedProbeOutput {
  if (typeof output !== "string") return { ok: false, error: "probe output is not text", truncated: false };
  let text = output.length > MAX_INPUT ? output.slice(0, MAX_INPUT) : output;
  let truncated = output.length > MAX_INPUT;
  for (const marker of TRUNCATION_MARKERS) {
    if (text.includes(marker)) {
      truncated = true;
      text = text.split(marker).join("");
    }
  }
  let stdout = text;
  let stderr: string | undefined;
  const sep = text.indexOf(SSM_ERROR_SEPARATOR);
  if (sep >= 0) {
    stdout = text.slice(0, sep);
    stderr =
      text
        .slice(sep + SSM_ERROR_SEPARATOR.length)
        .trim()
        .slice(0, MAX_STDERR) || undefined;
  }
  const base = { truncated, ...(stderr ? { stderr } : {}) };
  if (stdout.trim() === "") {
    return {
      ...base,
      ok: false,
      error: stderr ? "the probe printed nothing on stdout (see stderr)" : "the probe printed nothing",
    };
  }

  // The report is the last line holding `{"schema":`; anything before it on the line or above it is noise.
  const lines = stdout.split(/\r?\n/);
  let candidate: string | undefined;
  for (let i = lines.length - 1; i >= 0 && candidate === undefined; i--) {
    const at = lines[i]!.indexOf('{"schema":');
    if (at >= 0) candidate = lines[i]!.slice(at).trim();
  }
  if (candidate === undefined) {
    return {
      ...base,
      ok: false,
      error: clip(`no probe report in the output (it starts: ${JSON.stringify(stdout.trim().slice(0, 80))})`),
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(candidate);
  } catch (e) {
    const why = truncated ? "the output was truncated" : `invalid JSON: ${(e as Error).message}`;
    return { ...base, ok: false, error: clip(`the probe report is not valid JSON (${why})`) };
  }
  const result = probeReportSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const path = issue.path.map(String).join(".") || "(report)";
    return { ...base, ok: false, error: clip(`the probe report is invalid at ${path}: ${issue.message}`) };
  }
  return { ...base, ok: true, report: result.data };
}

function clip(s: string): string {
  return s.length > MAX_ERROR ? `${s.slice(0, MAX_ERROR - 1)}…` : s;
}
