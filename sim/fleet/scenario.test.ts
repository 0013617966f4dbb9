import { describe, expect, it } from "vitest";
import { Ec2State } from "./ec2-state.ts";
import { parseEcsConfig } from "./ecs-config.ts";
import { generateScenario, loadScenario, parseScenario } from "./index.ts";
import { EXPECTED_VERDICTS } from "./scenario-schema.ts";

const base = { name: "t", hosts: [{ id: "i-0123456789abcdef0", agentVersion: "1.89.3", launchedAgo: "1h" }] };
const withHost = (h: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  ...base,
  ...extra,
  hosts: [{ ...base.hosts[0], ...h }],
});

describe("scenario validation", () => {
  it.each([
    [withHost({ agentVersion: "1.89" }), "t.json: hosts[0].agentVersion: expected a version like 1.89.3"],
    [withHost({ id: "i-123" }), "t.json: hosts[0].id: expected an instance id"],
    [withHost({ launchedAgo: "yesterday" }), "t.json: hosts[0].launchedAgo: expected a duration"],
    [withHost({ group: { name: "nope" } }), "t.json: hosts[0].group.name: no group 'nope'"],
    [
      withHost({ group: { name: "web", state: "Warmed:Running" } }, { groups: [{ name: "web" }] }),
      "t.json: hosts[0].group.state: group 'web' has no warm pool",
    ],
    [
      withHost({ group: { name: "web", joinedAgo: "2h" } }, { groups: [{ name: "web" }] }),
      "t.json: hosts[0].group.joinedAgo: must not exceed launchedAgo",
    ],
    [withHost({ imds: "off" }), "t.json: hosts[0].imds:"],
    [withHost({ scripts: "slow" }), "t.json: hosts[0].scripts:"],
    [withHost({ ami: "ubuntu" }), "t.json: hosts[0].ami:"],
    [withHost({ ecsStoppedAgo: "2h" }), "t.json: hosts[0].ecsStoppedAgo: must be less than launchedAgo"],
    [withHost({ ami: "plain", ecsStoppedAgo: "5m" }), "t.json: hosts[0].ecsStoppedAgo: a plain AMI has no ecs service"],
    [withHost({ ami: "plain", failure: "docker" }), "t.json: hosts[0].failure: a plain AMI has no ECS agent to fail"],
    [withHost({ expect: "fine" }), "t.json: hosts[0].expect:"],
    [withHost({ colour: "red" }), "t.json: hosts[0]:"],
    [{ ...base, hosts: [base.hosts[0], base.hosts[0]] }, "t.json: hosts[1].id: duplicate host"],
    [{ ...base, timing: { lifecycleFailureSeconds: -1 } }, "t.json: timing.lifecycleFailureSeconds:"],
    [{ name: "t" }, "t.json: hosts:"],
    [
      { ...base, groups: [{ name: "web", scaleOut: { every: "30s", into: "warm-pool" } }] },
      "t.json: groups[0].scaleOut.into: group 'web' has no warm pool",
    ],
    [
      { ...base, groups: [{ name: "web", scaleOut: { every: 0 } }] },
      "t.json: groups[0].scaleOut.every: must be more than 0 seconds",
    ],
    [{ ...base, groups: [{ name: "web", scaleOut: { every: "30s", count: 0 } }] }, "t.json: groups[0].scaleOut.count:"],
    [
      { ...base, groups: [{ name: "web", moveToInService: { every: "1m" } }] },
      "t.json: groups[0].moveToInService: group 'web' has no warm pool to move instances from",
    ],
    [
      { ...base, groups: [{ name: "web", launch: { agentVersion: "new" } }] },
      "t.json: groups[0].launch.agentVersion: expected a version like 1.89.3",
    ],
    [{ ...base, groups: [{ name: "web", launch: { colour: "red" } }] }, "t.json: groups[0].launch:"],
  ])("names the field: %#", (value, message) => {
    expect(() => parseScenario(value, "t.json")).toThrowError(message);
  });

  it("throws FleetError ValidationError", () => {
    try {
      parseScenario(withHost({ agentVersion: "x" }), "t.json");
      expect.unreachable();
    } catch (e) {
      expect((e as { code: string }).code).toBe("ValidationError");
    }
  });

  it("reports unreadable and malformed files by name", async () => {
    await expect(loadScenario("no-such-scenario")).rejects.toThrow(
      "no-such-scenario.json: cannot read scenario (ENOENT)",
    );
    await expect(loadScenario("/dev/null")).rejects.toThrow("/dev/null: not valid JSON");
  });

  it("fills defaults and turns durations into seconds", () => {
    const s = parseScenario(withHost({ launchedAgo: "1h30m" }));
    expect(s.hosts[0]!.launchedAgo).toBe(5400);
    expect(s.hosts[0]!.imds).toBe("required");
    expect(s.timing.lifecycleFailureSeconds).toBe(5);
    expect(s.timing.maxPollRounds).toBe(120);
  });
});

describe("shipped scenarios", () => {
  it("demo covers every verdict of the design, a third of it the lifecycle 404", async () => {
    const demo = await loadScenario("demo");
    expect(demo.hosts.length).toBeGreaterThanOrEqual(55);
    expect(demo.groups.map((g) => g.name)).toEqual(["web", "api", "batch"]);
    expect(demo.groups.filter((g) => g.warmPool)).toHaveLength(1);
    const counts: Record<string, number> = {};
    for (const h of demo.hosts) {
      expect(h.expect, h.id).toBeDefined();
      counts[h.expect!] = (counts[h.expect!] ?? 0) + 1;
    }
    const covered = EXPECTED_VERDICTS.filter((v) => v !== "probe-failed" && v !== "unknown");
    for (const v of covered) expect(counts[v], v).toBeGreaterThan(0);
    const l404 =
      (counts["lifecycle-404:ready"] ?? 0) +
      (counts["lifecycle-404:blocked"] ?? 0) +
      (counts["lifecycle-404:warmed"] ?? 0);
    expect(l404 / demo.hosts.length).toBeGreaterThan(0.28);
    expect(l404 / demo.hosts.length).toBeLessThan(0.4);
  });

  it("scale-out has groups that keep launching from templates: affected agents into web and batch's warm pool, the fixed one into api", async () => {
    const s = await loadScenario("scale-out");
    expect(s.hosts.every((h) => h.expect)).toBe(true);
    const g = Object.fromEntries(s.groups.map((x) => [x.name, x]));
    expect(g.web!.scaleOut).toMatchObject({ every: 30, count: 2, into: "in-service" });
    expect(g.batch!.warmPool).toBeDefined();
    expect(g.batch!.scaleOut!.into).toBe("warm-pool");
    expect(g.batch!.moveToInService).toBeDefined();
    // What each group launches comes from its template's version 1: the image's agent and the user data's ecs.config.
    expect(g.web!.launchTemplate).toEqual({ name: "web-ecs", version: "1" });
    const ec2 = new Ec2State(s, s.region, s.accountId, Date.now());
    const next = (name: string) => ec2.resolveLaunch(ec2.sourceOf(g[name]!)!, 1);
    expect(next("web").image.agentVersion).toBe("1.89.3");
    expect(next("batch").image.agentVersion).toBe("1.90.0");
    expect(next("api").image.agentVersion).toBe("1.91.1");
    for (const name of ["web", "batch", "api"])
      expect(parseEcsConfig(next(name).ecsConfig).get("ECS_WARM_POOLS_CHECK")).toBe("true");
    // The 404 needs the group to publish after the agent asks (bootSeconds + about 2 s).
    expect(s.timing.publishDelaySeconds).toBeGreaterThan(s.timing.bootSeconds + 2 + s.timing.lifecycleFailureSeconds);
  });

  it("small loads", async () => {
    const s = await loadScenario("small");
    expect(s.hosts.every((h) => h.expect)).toBe(true);
  });
});

describe("generateScenario", () => {
  it("makes valid fleets of any size, the same for the same seed", () => {
    const a = generateScenario({ hosts: 400, seed: 7 });
    const b = generateScenario({ hosts: 400, seed: 7 });
    const c = generateScenario({ hosts: 400, seed: 8 });
    expect(a.hosts).toHaveLength(400);
    expect(a).toEqual(b);
    expect(a.hosts.map((h) => h.id)).not.toEqual(c.hosts.map((h) => h.id));
    expect(new Set(a.hosts.map((h) => h.id)).size).toBe(400);
    expect(a.groups.some((g) => g.warmPool)).toBe(true);
  });

  it("mixes mostly healthy hosts with every failure and spreads latency", () => {
    const s = generateScenario({ hosts: 2000, seed: 1 });
    const counts: Record<string, number> = {};
    for (const h of s.hosts) counts[h.expect!] = (counts[h.expect!] ?? 0) + 1;
    expect(counts.healthy! / 2000).toBeGreaterThan(0.45);
    for (const v of [
      "lifecycle-404:ready",
      "lifecycle-404:blocked",
      "lifecycle-404:warmed",
      "waiting",
      "at-risk",
      "agent-failed",
      "imds-unreachable",
      "ssm-unreachable",
    ])
      expect(counts[v], v).toBeGreaterThan(0);
    const lat = s.hosts.map((h) => h.latencyMs!).sort((x, y) => x - y);
    expect(lat[0]!).toBeLessThan(300);
    expect(lat[lat.length - 1]!).toBeGreaterThan(4000);
  });

  it("handles zero hosts", () => {
    expect(generateScenario({ hosts: 0 }).hosts).toEqual([]);
  });
});
