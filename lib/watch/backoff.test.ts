import { describe, expect, it } from "vitest";
import { backoffMs } from "./backoff.ts";

describe("backoffMs", () => {
  const o = { baseMs: 1000, capMs: 60_000 };
  it("doubles from the base and stops at the cap", () => {
    const top = (n: number) => backoffMs(n, { ...o, random: () => 1 });
    expect([1, 2, 3, 4, 7, 8, 20].map(top)).toEqual([1000, 2000, 4000, 8000, 60_000, 60_000, 60_000]);
  });
  it("jitters between half and all of it", () => {
    expect(backoffMs(3, { ...o, random: () => 0 })).toBe(2000);
    expect(backoffMs(3, { ...o, random: () => 0.5 })).toBe(3000);
  });
});
