import { describe, expect, it } from "vitest";
import { count } from "./plural.ts";
import { formatTime, relativeTime } from "./time.ts";

describe("count", () => {
  it("puts the noun in the right number", () => {
    expect(count(1, "instance")).toBe("1 instance");
    expect(count(0, "instance")).toBe("0 instances");
    expect(count(2000, "match", "matches")).toBe("2,000 matches");
  });
});

describe("time", () => {
  const now = Date.parse("2026-12-06T02:00:00Z");
  it("formats UTC with the same shape everywhere", () => {
    expect(formatTime("2026-12-06T01:02:03.456Z")).toBe("2026-12-06 01:02:03 UTC");
  });
  it("says how long ago in one unit", () => {
    expect(relativeTime("2026-12-06T01:59:50Z", now)).toBe("just now");
    expect(relativeTime("2026-12-06T01:55:00Z", now)).toBe("5 min ago");
    expect(relativeTime("2026-12-05T23:00:00Z", now)).toBe("3 h ago");
    expect(relativeTime("2026-12-03T02:00:00Z", now)).toBe("3 days ago");
  });
});
