import { describe, expect, it } from "vitest";
import type { Policy } from "@/lib/autopilot/types.ts";
import { policyRows } from "./policy-rows.ts";

const p = (group: string | null, mode: Policy["mode"]): Policy => ({
  fleet: "f",
  group,
  mode,
  dryRun: false,
  maxRestartsPerHour: 20,
  breakerFailures: 3,
  breakerWindowMinutes: 15,
  author: "ops@example.com",
  updatedAt: "2026-12-06T08:00:00.000Z",
});

describe("policyRows", () => {
  it("lists the default first, then every known or named group, each with what applies and its breaker", () => {
    const breaker = { fleet: "f", group: "web", trippedAt: "2026-12-06T08:00:00.000Z", failures: 3 };
    const noGroup = { ...breaker, group: "" };
    const rows = policyRows({
      policies: [p(null, "notify"), p("web", "restart"), p("old", "off")],
      groups: ["web", "batch"],
      breakers: [breaker, noGroup],
    });
    expect(rows.map((r) => [r.group, r.own?.mode, r.effective?.mode, r.breaker?.group])).toEqual([
      [null, "notify", "notify", ""],
      ["batch", undefined, "notify", undefined],
      ["old", "off", "off", undefined],
      ["web", "restart", "restart", "web"],
    ]);
  });

  it("shows every group off when no policy is set", () => {
    const rows = policyRows({ policies: [], groups: ["web"], breakers: [] });
    expect(rows.map((r) => [r.group, r.effective])).toEqual([
      [null, undefined],
      ["web", undefined],
    ]);
  });
});
