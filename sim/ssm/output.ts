/**
 * How the SSM agent turns a script's stdout and stderr into what the API returns. Ported from the agent
 * (aws/amazon-ssm-agent: iohandler.TruncateOutput and pluginutil.ReadPrefix). Both work on bytes, as Go's len()
 * and slicing do, so a cut can land inside a multi-byte character exactly as on a real instance.
 */

/** The plugin `Output` of ListCommandInvocations (Details=true) holds at most this many bytes. */
export const MAX_PLUGIN_OUTPUT = 2500;
/** GetCommandInvocation's StandardOutputContent / StandardErrorContent caps. */
export const MAX_STDOUT = 24000;
export const MAX_STDERR = 8000;

const ERROR_TITLE = "\n----------ERROR-------\n";
const TRUNCATE_OUT = "\n---Output truncated---";
const TRUNCATE_ERROR = "\n---Error truncated----";
const TRUNCATED_SUFFIX = "--output truncated--";

const bytes = (s: string) => Buffer.from(s, "utf8");
const text = (b: Buffer) => b.toString("utf8");

/** stdout, then the ERROR title and stderr when there is stderr, cut to `capacity` with the agent's markers. */
export function pluginOutput(stdout: string, stderr: string, capacity = MAX_PLUGIN_OUTPUT): string {
  const out = bytes(stdout);
  const err = bytes(stderr);
  const errorTitle = err.length > 0 ? ERROR_TITLE : "";
  const available = capacity - errorTitle.length;

  if (out.length + err.length < available) return stdout + errorTitle + stderr;

  // Integer halves, as Go's int division truncates.
  const half = Math.trunc(available / 2);
  if (out.length > half && err.length > half) {
    const size = Math.trunc((available - TRUNCATE_ERROR.length - TRUNCATE_OUT.length) / 2);
    return text(out.subarray(0, size)) + TRUNCATE_OUT + errorTitle + text(err.subarray(0, size)) + TRUNCATE_ERROR;
  }
  if (out.length < half) {
    const size = available - TRUNCATE_ERROR.length;
    return stdout + errorTitle + text(err.subarray(0, size - out.length)) + TRUNCATE_ERROR;
  }
  const size = available - TRUNCATE_OUT.length;
  return text(out.subarray(0, size - err.length)) + TRUNCATE_OUT + errorTitle + stderr;
}

/**
 * The agent reads at most `max` bytes of a stream; when it got `max` (it cannot tell whether more followed), the end
 * is replaced by the suffix so the total stays `max`.
 */
export function readPrefix(s: string, max: number): string {
  const b = bytes(s);
  if (b.length < max) return s;
  return text(b.subarray(0, max - TRUNCATED_SUFFIX.length)) + TRUNCATED_SUFFIX;
}

export const standardOutputContent = (stdout: string) => readPrefix(stdout, MAX_STDOUT);
export const standardErrorContent = (stderr: string) => readPrefix(stderr, MAX_STDERR);
