import { describe, expect, it } from "vitest";
import { failedReport } from "../../test/helpers/reports.ts";
import type { EcsView } from "../aws/ecs.ts";
import { ecsFactsOf, inServiceSince } from "./ecs-facts.ts";
import type { Target } from "./types.ts";

const ID = "i-0abc123def4567890";
const arn = (name: string) => `arn:aws:ecs:us-east-1:123456789012:cluster/${name}`;
const view = (names: string[], registered = false): EcsView => ({
  clusters: names.map((name) => ({ name, arn: arn(name) })),
  missing: [],
  byInstance: new Map(
    registered
      ? [[ID, { ec2InstanceId: ID, cluster: "prod", arn: "arn:ci", status: "DRAINING", agentConnected: false }]]
      : [],
  ),
});
const member: Target = { instanceId: ID, pingStatus: "Online", group: "web", lifecycleState: "InService" };
const home = { region: "us-east-1", account: "123456789012" };
const boot = Date.parse("2025-02-04T07:01:40Z");
const at = (ms: number) => new Date(boot + ms);

describe("inServiceSince", () => {
  it("takes the boot time, or the last time seen in another state when that is later", () => {
    expect(inServiceSince(failedReport(), undefined)).toBe(boot);
    expect(inServiceSince(failedReport(), { lastNotInService: "2025-02-04T07:10:00Z" })).toBe(
      Date.parse("2025-02-04T07:10:00Z"),
    );
    expect(inServiceSince(failedReport(), { lastNotInService: "2025-02-03T00:00:00Z" })).toBe(boot);
  });

  it("without a report, the first time a stored result saw it InService; otherwise unknown", () => {
    expect(inServiceSince(undefined, { firstInService: "2025-02-04T08:00:00Z" })).toBe(
      Date.parse("2025-02-04T08:00:00Z"),
    );
    expect(inServiceSince(undefined, { lastNotInService: "2025-02-04T08:00:00Z" })).toBeUndefined();
    expect(inServiceSince(undefined, undefined)).toBeUndefined();
  });
});

describe("ecsFactsOf", () => {
  it("gives ECS's word on a registered instance, never overdue or missing", () => {
    expect(
      ecsFactsOf({ view: view([], true), target: member, report: failedReport(), now: at(1e9), graceSeconds: 0, home }),
    ).toEqual({
      registered: true,
      clustersSearched: 0,
      cluster: "prod",
      arn: "arn:ci",
      status: "DRAINING",
      agentConnected: false,
    });
  });

  it("flags an unregistered InService member overdue only past the grace", () => {
    const facts = (ms: number, target = member) =>
      ecsFactsOf({ view: view(["prod"]), target, report: failedReport(), now: at(ms), graceSeconds: 300, home });
    expect(facts(300_000)).toEqual({ registered: false, clustersSearched: 1 });
    expect(facts(300_001)).toEqual({ registered: false, clustersSearched: 1, overdue: true });
    expect(facts(1e9, { ...member, lifecycleState: "Pending:Wait" }).overdue).toBeUndefined();
    expect(facts(1e9, { instanceId: ID, pingStatus: "Online" }).overdue).toBeUndefined();
    // No report and nothing stored: unknown, so not overdue.
    expect(ecsFactsOf({ view: view(["prod"]), target: member, now: at(1e9), graceSeconds: 0, home }).overdue).toBe(
      undefined,
    );
  });

  it("names the cluster ecs.config asks for when ECS does not have it", () => {
    expect(
      ecsFactsOf({
        view: view(["other"]),
        target: member,
        report: failedReport(),
        now: at(0),
        graceSeconds: 300,
        home,
      }),
    ).toEqual({ registered: false, clustersSearched: 1, clusterMissing: "prod" });
    // No ECS agent installed at all: it asks for no cluster.
    const bare = failedReport();
    bare.config = { files: [], keys: {}, other: 0 };
    bare.service = { ...bare.service, load: "not-found" };
    expect(
      ecsFactsOf({ view: view(["other"]), target: member, report: bare, now: at(0), graceSeconds: 300, home })
        .clusterMissing,
    ).toBeUndefined();
  });
});
