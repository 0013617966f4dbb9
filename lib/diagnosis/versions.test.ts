import { describe, expect, it } from "vitest";
import { failedReport, healthyReport } from "../../test/helpers/reports.ts";
import {
  agentVersionOf,
  CGROUP_V2_SINCE,
  DOCKER_API_SINCE,
  FIRST_FIXED,
  hasWarmPoolCheck,
  isAffectedVersion,
  isFixedVersion,
  isOlderThan,
  parseAgentVersion,
} from "./versions.ts";

describe("agent versions", () => {
  it.each([
    ["1.89.3", "1.89.3"],
    ["v1.89.3", "1.89.3"],
    ["ecs-init-1.89.3-1.amzn2023.x86_64", "1.89.3"],
    ["ecs-init-1.91.1-1.amzn2.x86_64", "1.91.1"],
    ["Amazon ECS Agent - v1.89.3 (fb1fb409)", "1.89.3"],
    ["Amazon ECS Agent - v1.110.0 (*e5b5c1a0)", "1.110.0"],
    ["1.089.03", "1.89.3"],
    ["Amazon ECS agent Version: 1.25.3, Commit: 0a2f1b31", "1.25.3"],
    ["", undefined],
    ["garbage", undefined],
    ["1.89", undefined],
    ["1.2.3.4", undefined],
    ["<script>1.89.3</script>", "1.89.3"],
    [null, undefined],
    [undefined, undefined],
  ])("parses %j as %j", (input, want) => {
    expect(parseAgentVersion(input as string | null | undefined)).toBe(want);
  });

  it.each([
    ["1.59.0", false, true, false],
    ["1.89.2", false, true, false],
    ["1.89.3", true, true, false],
    ["1.90.0", true, true, false],
    ["1.90.9", true, true, false],
    ["1.91.0", true, true, false],
    ["1.91.1", false, true, true],
    ["1.93.1", false, true, true],
    ["1.110.0", false, true, true],
    ["1.58.9", false, false, false],
    ["ecs-init-1.90.0-1.amzn2023.x86_64", true, true, false],
    ["nonsense", false, false, false],
  ])("%s: affected %s, has the check %s, fixed %s", (v, affected, check, fixed) => {
    expect(isAffectedVersion(v)).toBe(affected);
    expect(hasWarmPoolCheck(v)).toBe(check);
    expect(isFixedVersion(v)).toBe(fixed);
  });

  it("the first fixed version is 1.91.1", () => {
    expect(FIRST_FIXED).toBe("1.91.1");
  });

  it("agentVersionOf prefers the running agent, then the last start in the log, then ecs-init", () => {
    const r = healthyReport("1.91.1");
    r.ecsInit = "ecs-init-1.89.3-1.amzn2023.x86_64";
    expect(agentVersionOf(r)).toBe("1.91.1");
    const f = failedReport();
    f.logs.started = { file: "ecs-agent.log", n: 1, version: "1.90.0" };
    expect(agentVersionOf(f)).toBe("1.90.0");
    delete f.logs.started;
    expect(agentVersionOf(f)).toBe("1.89.3");
    f.ecsInit = null;
    expect(agentVersionOf(f)).toBeUndefined();
    // Debian/Ubuntu: no rpm, the deb's dpkg version.
    f.deb = "1.89.3-1";
    expect(agentVersionOf(f)).toBe("1.89.3");
  });

  it.each([
    ["1.80.9", DOCKER_API_SINCE, true],
    ["1.81.0", DOCKER_API_SINCE, false],
    ["1.60.1", CGROUP_V2_SINCE, true],
    ["1.61.0", CGROUP_V2_SINCE, false],
    [undefined, DOCKER_API_SINCE, false],
  ])("%s older than %s: %s (an unknown version is not called old)", (v, min, want) => {
    expect(isOlderThan(v, min)).toBe(want);
  });
});
