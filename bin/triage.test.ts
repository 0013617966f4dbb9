import { describe, expect, it } from "vitest";
import { VERDICT_ORDER } from "../components/verdict/verdicts.ts";
import { VERDICTS } from "../lib/diagnosis/catalogue.ts";
import { formatTriage, type TriageRow } from "./triage.ts";

const row = (verdict: TriageRow["verdict"], i: number): TriageRow => ({
  instanceId: `i-0${String(i).padStart(16, "0")}`,
  verdict,
  summary: `${verdict} summary`,
  restartWillWork: verdict === "lifecycle-404:ready",
});

describe("formatTriage", () => {
  it("groups verdicts in the dashboard's order", () => {
    // Rows given in reverse, so the table's order can only come from the catalogue.
    const rows = [...VERDICTS].reverse().map(row);
    const headers = formatTriage(rows)
      .split("\n")
      .filter((l) => /^\S+ \(\d+\)/.test(l))
      .map((l) => l.split(" ")[0]);
    expect(headers).toEqual([...VERDICT_ORDER]);
  });

  it("counts who needs attention and strips control characters from instance text", () => {
    const out = formatTriage([row("healthy", 1), { ...row("agent-failed", 2), summary: "bad\u001b[31m red" }]);
    expect(out).toContain("2 instances, 1 needs attention.");
    expect(out).not.toContain("\u001b");
  });
});
