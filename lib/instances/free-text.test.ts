import { describe, expect, it } from "vitest";
import { matchesFreeText } from "./free-text.ts";

const row = {
  instanceId: "i-0a000000000000003",
  verdict: "lifecycle-404:ready" as const,
  group: "api",
  lifecycleState: "InService",
  agentVersion: "1.89.3",
  pingStatus: "Online",
};
const label = () => "Restart will fix";

describe("matchesFreeText", () => {
  it.each(["api", "1.89.3", "InService", "inservice", "online", "i-0a0", "lifecycle-404", "restart will", "(none)"])(
    "matches %j in a visible column",
    (q) => {
      expect(matchesFreeText(row, q, label)).toBe(true);
    },
  );

  it("matches nothing that is not shown", () => {
    expect(matchesFreeText(row, "web", label)).toBe(false);
    expect(matchesFreeText(row, "1.91", label)).toBe(false);
  });

  it("reads an absent value as (none), and empty text as everything", () => {
    expect(matchesFreeText({ ...row, group: undefined }, "none")).toBe(true);
    expect(matchesFreeText(row, "  ")).toBe(true);
  });
});
