import { describe, expect, it } from "vitest";
import { healthyReport, withCheck, withImds } from "../../test/helpers/reports.ts";
import type { ProbeReport } from "../probe/report-schema.ts";
import { diagnose } from "./diagnose.ts";

const facts = (report: ProbeReport) => ({ probe: { ok: true as const, report }, ssm: { status: "Success" } });

describe("a healthy instance on an affected agent", () => {
  it.each(["1.89.3", "1.90.0", "1.91.0"])(
    "keeps the upgrade advice when the check is on (agent %s): its next boot fails again",
    (version) => {
      const d = diagnose(facts(withCheck(healthyReport(version), "true")));
      expect(d.verdict).toBe("healthy");
      expect(d.remedies.map((r) => r.id)).toEqual(["upgrade-agent"]);
      expect(d.remedies[0]!.why).toMatch(/next boot/);
    },
  );

  it("offers no remedy when the check is off or the agent is fixed", () => {
    expect(diagnose(facts(withCheck(healthyReport("1.90.0"), "false"))).remedies).toEqual([]);
    expect(diagnose(facts(withCheck(healthyReport("1.91.1"), "true"))).remedies).toEqual([]);
    expect(diagnose(facts(withCheck(withImds(healthyReport("1.93.1"), 404), "true"))).remedies).toEqual([]);
  });
});
