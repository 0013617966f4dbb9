import { describe, expect, it } from "vitest";
import { countConfirmed, needsCount, TYPE_COUNT_ABOVE } from "./count-confirm.tsx";

describe("typing the count to confirm a restart", () => {
  it("is needed only above TYPE_COUNT_ABOVE instances", () => {
    expect(needsCount(TYPE_COUNT_ABOVE)).toBe(false);
    expect(needsCount(TYPE_COUNT_ABOVE + 1)).toBe(true);
    expect(countConfirmed(TYPE_COUNT_ABOVE, "")).toBe(true);
  });

  it("confirms with the exact count, spaces around it allowed, and nothing else", () => {
    expect(countConfirmed(12, "")).toBe(false);
    expect(countConfirmed(12, "11")).toBe(false);
    expect(countConfirmed(12, "012")).toBe(false);
    expect(countConfirmed(12, " 12 ")).toBe(true);
  });
});
