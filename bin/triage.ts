/** The CLI's triage: the rows it prints per instance, and the plain-text table grouped by verdict. */
import { NEEDS_ATTENTION, VERDICTS, type Verdict } from "../lib/diagnosis/catalogue.ts";
import type { InstanceSummary } from "../lib/store/types.ts";

/** The fields the CLI prints per instance (`--json` too). */
export type TriageRow = Pick<
  InstanceSummary,
  | "instanceId"
  | "verdict"
  | "cause"
  | "summary"
  | "group"
  | "lifecycleState"
  | "agentVersion"
  | "restartWillWork"
  | "registered"
>;

export function triageRow(s: InstanceSummary): TriageRow {
  return {
    instanceId: s.instanceId,
    verdict: s.verdict,
    ...(s.cause ? { cause: s.cause } : {}),
    summary: s.summary,
    ...(s.group ? { group: s.group } : {}),
    ...(s.lifecycleState ? { lifecycleState: s.lifecycleState } : {}),
    ...(s.agentVersion ? { agentVersion: s.agentVersion } : {}),
    restartWillWork: s.restartWillWork,
    // Registered with ECS; absent when the scan did not ask ECS (or could not).
    ...(s.registered !== undefined ? { registered: s.registered } : {}),
  };
}

export function needsAttention(rows: readonly { verdict: Verdict }[]): boolean {
  return rows.some((r) => NEEDS_ATTENTION[r.verdict]);
}

export function countVerdicts(rows: readonly { verdict: Verdict }[]): Partial<Record<Verdict, number>> {
  const counts: Partial<Record<Verdict, number>> = {};
  for (const r of rows) counts[r.verdict] = (counts[r.verdict] ?? 0) + 1;
  return counts;
}

// Text from instances is untrusted: no control characters (terminal escapes) reach the terminal.
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point.
const clean = (s: string | undefined) => (s ?? "").replace(/[\u0000-\u001f\u007f-\u009f]/g, " ");

function cut(s: string, width: number): string {
  return s.length <= width ? s : `${s.slice(0, Math.max(0, width - 1))}…`;
}

/**
 * A plain-text triage table grouped by verdict in the catalogue's display order (the dashboard's: what a person can
 * fix now first, healthy last), then a one-line total.
 */
export function formatTriage(rows: readonly TriageRow[], width = 120): string {
  const lines: string[] = [];
  for (const verdict of VERDICTS) {
    const group = rows.filter((r) => r.verdict === verdict).sort((a, b) => a.instanceId.localeCompare(b.instanceId));
    if (group.length === 0) continue;
    const restart = group.filter((r) => r.restartWillWork).length;
    lines.push(`${verdict} (${group.length})${restart ? `, restart will work on ${restart}` : ""}`);
    for (const r of group) {
      const cols = [
        r.instanceId.padEnd(19),
        cut(clean(r.group) || "-", 20).padEnd(20),
        cut(clean(r.lifecycleState) || "-", 18).padEnd(18),
        cut(clean(r.agentVersion) || "-", 8).padEnd(8),
      ].join("  ");
      const summary = clean(r.cause ? `[${r.cause}] ${r.summary}` : r.summary);
      lines.push(`  ${cols}  ${cut(summary, Math.max(30, width - cols.length - 4))}`);
    }
    lines.push("");
  }
  const attention = rows.filter((r) => NEEDS_ATTENTION[r.verdict]).length;
  lines.push(
    rows.length === 0
      ? "No instances."
      : `${rows.length} instance${rows.length === 1 ? "" : "s"}, ${attention} need${attention === 1 ? "s" : ""} attention.`,
  );
  return lines.join("\n");
}
