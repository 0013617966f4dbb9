import type { InstanceRow } from "./rows.ts";

const COLUMNS: (keyof InstanceRow)[] = [
  "instanceId",
  "verdict",
  "cause",
  "group",
  "lifecycleState",
  "agentVersion",
  "pingStatus",
  "registered",
  "probedAt",
  "restartWillWork",
  "scanId",
  "account",
  "region",
];

/** RFC 4180 quoting, plus a leading apostrophe on cells a spreadsheet would run as a formula (untrusted text). */
function csvCell(v: unknown): string {
  let s = v === undefined || v === null ? "" : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function rowsToCsv(rows: readonly InstanceRow[]): string {
  const lines = [COLUMNS.join(",")];
  for (const r of rows) lines.push(COLUMNS.map((c) => csvCell(r[c])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

export function rowsToJson(rows: readonly InstanceRow[]): string {
  return `${JSON.stringify(
    rows.map((r) => Object.fromEntries(COLUMNS.map((c) => [c, r[c]]))),
    null,
    2,
  )}\n`;
}

/** Hands `text` to the browser as a file download. */
export function download(filename: string, text: string, type: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
