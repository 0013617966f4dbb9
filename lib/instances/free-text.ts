import type { Verdict } from "../diagnosis/types.ts";

/**
 * What the instances table's free text means, in one place for the browser (components/instances) and the API
 * (`GET /api/instances?q=`, lib/store): a case-insensitive substring of any column a person sees in the table
 * (instance id, verdict and its label, cause, group, lifecycle state, agent version, SSM ping), with an absent
 * value read as the table shows it, `(none)`. Client-safe: plain functions, no server imports.
 */
export type FreeTextRow = {
  instanceId: string;
  verdict: Verdict;
  cause?: string;
  group?: string;
  lifecycleState?: string;
  agentVersion?: string;
  pingStatus?: string;
};

/** The text shown for an absent value (no group, no version...). */
export const NONE = "(none)";

/** The verdict's label as the table shows it ("Restart will fix"); the code itself always matches too. */
export type VerdictLabel = (verdict: Verdict) => string;

function shown(value: string | undefined): string {
  return value && value.length > 0 ? value : NONE;
}

/** Every visible value of a row, lower-cased. */
export function freeTextValues(row: FreeTextRow, label?: VerdictLabel): string[] {
  return [
    row.instanceId,
    row.verdict,
    ...(label ? [label(row.verdict)] : []),
    shown(row.cause),
    shown(row.group),
    shown(row.lifecycleState),
    shown(row.agentVersion),
    shown(row.pingStatus),
  ].map((v) => v.toLowerCase());
}

/** Whether `text` (trimmed, any case) is part of a visible value of the row; empty text matches every row. */
export function matchesFreeText(row: FreeTextRow, text: string, label?: VerdictLabel): boolean {
  const needle = text.trim().toLowerCase();
  if (needle === "") return true;
  return freeTextValues(row, label).some((v) => v.includes(needle));
}
