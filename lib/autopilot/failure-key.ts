import { parseProbeOutput } from "../probe/report.ts";

/**
 * What tells one agent failure of an instance from its next one, from the probe's report (untrusted text, already
 * capped by the report's schema): when systemd last started and last saw the agent exit, and the agent's last
 * lifecycle line (its time and how many). A restart changes them, so a failure after a restart has a new key; the
 * same failure seen by two reviews has the same one. Undefined when the report says none of them: autopilot then
 * cannot tell failures apart and does not restart.
 */
export function failureKey(rawOutput: string): string | undefined {
  const parsed = parseProbeOutput(rawOutput);
  if (!parsed.ok) return undefined;
  const r = parsed.report;
  const parts = [
    r.service.started ? `started=${r.service.started}` : "",
    r.service.exited ? `exited=${r.service.exited}` : "",
    r.logs.lifecycle?.t ? `lifecycle=${r.logs.lifecycle.t}#${r.logs.lifecycle.count}` : "",
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(";") : undefined;
}
