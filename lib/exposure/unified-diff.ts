/** At most this many lines a side are diffed line by line (user data is at most 16 KB: a few hundred lines). */
const MAX_LINES = 4000;

type Op = { kind: " " | "-" | "+"; text: string };

function ops(a: string[], b: string[]): Op[] {
  // Longest common subsequence table, from the end, then one forward walk.
  const n = a.length;
  const m = b.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      out.push({ kind: " ", text: a[i]! });
      i++;
      j++;
    } else if (i < n && (j >= m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      // Deletions first, as diff(1) prints them.
      out.push({ kind: "-", text: a[i++]! });
    } else {
      out.push({ kind: "+", text: b[j++]! });
    }
  }
  return out;
}

/** A unified diff (3 lines of context) of two texts, with `--- a/<label>` / `+++ b/<label>`; "" when they are equal. */
export function unifiedDiff(oldText: string, newText: string, label: string, context = 3): string {
  if (oldText === newText) return "";
  const a = oldText.split("\n").slice(0, MAX_LINES);
  const b = newText.split("\n").slice(0, MAX_LINES);
  const all = ops(a, b);
  const changed = all.map((o, k) => (o.kind !== " " ? k : -1)).filter((k) => k >= 0);
  const lines = [`--- a/${label}`, `+++ b/${label}`];
  let k = 0;
  while (k < changed.length) {
    const start = Math.max(0, changed[k]! - context);
    let end = Math.min(all.length, changed[k]! + context + 1);
    while (k + 1 < changed.length && changed[k + 1]! - context <= end) {
      k++;
      end = Math.min(all.length, changed[k]! + context + 1);
    }
    k++;
    // Line numbers of the hunk's first line on each side.
    let oldLine = 1;
    let newLine = 1;
    for (const o of all.slice(0, start)) {
      if (o.kind !== "+") oldLine++;
      if (o.kind !== "-") newLine++;
    }
    const hunk = all.slice(start, end);
    const oldCount = hunk.filter((o) => o.kind !== "+").length;
    const newCount = hunk.filter((o) => o.kind !== "-").length;
    lines.push(
      `@@ -${oldCount === 0 ? oldLine - 1 : oldLine},${oldCount} +${newCount === 0 ? newLine - 1 : newLine},${newCount} @@`,
    );
    for (const o of hunk) lines.push(`${o.kind}${o.text}`);
  }
  return `${lines.join("\n")}\n`;
}
