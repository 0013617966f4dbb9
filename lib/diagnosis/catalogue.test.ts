import { describe, expect, it } from "vitest";
import {
  DISABLE_CHECK_VERDICTS,
  isVerdict,
  NEEDS_ATTENTION,
  VERDICT_CATALOGUE,
  VERDICTS,
  verdictRank,
} from "./catalogue.ts";

describe("the verdict catalogue", () => {
  it("lists each verdict once, in display order: what a person can fix now first, healthy last", () => {
    expect(new Set(VERDICTS).size).toBe(VERDICTS.length);
    expect(VERDICTS[0]).toBe("lifecycle-404:ready");
    expect(VERDICTS.at(-1)).toBe("healthy");
    expect(VERDICTS.map(verdictRank)).toEqual(VERDICTS.map((_, i) => i));
    expect(verdictRank("not-a-verdict")).toBe(VERDICTS.length);
  });

  it("orders by severity: every agent that is down before the warnings, the notices, then ok", () => {
    const ranks = { error: 0, warning: 1, notice: 1, ok: 2 } as const;
    const severities = VERDICTS.map((v) => ranks[VERDICT_CATALOGUE[v].severity]);
    expect(severities).toEqual([...severities].sort((a, b) => a - b));
  });

  it("needs a person for everything but an ok verdict", () => {
    for (const v of VERDICTS) expect(NEEDS_ATTENTION[v], v).toBe(VERDICT_CATALOGUE[v].severity !== "ok");
    expect(VERDICTS.filter((v) => !NEEDS_ATTENTION[v])).toEqual(["healthy"]);
  });

  it("offers turning the check off for a blocked, waiting or at-risk instance only", () => {
    expect([...DISABLE_CHECK_VERDICTS].sort()).toEqual(["at-risk", "lifecycle-404:blocked", "waiting"]);
  });

  it("gives every verdict a label, a description and a distinct chart colour", () => {
    const charts = VERDICTS.map((v) => VERDICT_CATALOGUE[v].look.chart);
    expect(new Set(charts).size).toBe(VERDICTS.length);
    for (const v of VERDICTS) {
      const info = VERDICT_CATALOGUE[v];
      expect(info.label.length, v).toBeGreaterThan(0);
      expect(info.description.length, v).toBeGreaterThan(0);
      expect(info.look.chart, v).toMatch(/^#[0-9a-f]{6}$/);
    }
  });

  it("knows its own verdicts and nothing else", () => {
    for (const v of VERDICTS) expect(isVerdict(v)).toBe(true);
    expect(isVerdict("toString")).toBe(false);
    expect(isVerdict("")).toBe(false);
  });
});
