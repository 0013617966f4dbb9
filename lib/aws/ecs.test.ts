/**
 * lib/aws/ecs.ts against the simulator's ECS API through the real SDK: paging past 100 container instances, the
 * join by ec2InstanceId, clusters ECS does not have, AccessDenied, and pacing.
 */
import { ECSClient } from "@aws-sdk/client-ecs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ContainerInstanceInfo } from "../../sim/fleet-types.ts";
import type { Simulator } from "../../sim/main.ts";
import { simCalls, simClientConfig, startSimOverriding } from "../../test/helpers/sim.ts";
import { FleetDoctorError } from "../errors.ts";
import { clusterMissing, readEcsView } from "./ecs.ts";
import { pacer } from "./pace.ts";

const ACCOUNT = "123456789012";
const arnOf = (name: string) => `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/${name}`;
const idOf = (n: number) => `i-${n.toString(16).padStart(17, "0")}`;

/** 250 container instances in `big` (three pages), two in `small` (one disconnected), none in `empty`. */
function containerInstances(): ContainerInstanceInfo[] {
  const out: ContainerInstanceInfo[] = [];
  for (let n = 1; n <= 252; n++) {
    const cluster = n <= 250 ? "big" : "small";
    out.push({
      instanceId: idOf(n),
      cluster,
      containerInstanceArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:container-instance/${cluster}/${n.toString(16).padStart(32, "0")}`,
      agentConnected: n !== 252,
      agentVersion: n === 251 ? "1.89.3" : "1.90.0",
      registeredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)),
    });
  }
  return out;
}

let sim: Simulator;
let ecs: ECSClient;

beforeAll(async () => {
  sim = await startSimOverriding({ scenario: "small", exec: "model" }, () => ({
    clusters: () => ["big", "empty", "small"].map((name) => ({ name, arn: arnOf(name) })),
    containerInstances,
  }));
  ecs = new ECSClient({ ...simClientConfig(sim.url), maxAttempts: 2 });
}, 30_000);

afterAll(async () => {
  ecs?.destroy();
  await sim?.close();
});

afterEach(async () => {
  await fetch(`${sim.url}/_sim/faults`, { method: "POST", body: "{}" });
  await fetch(`${sim.url}/_sim/calls`, { method: "DELETE" });
});

describe("readEcsView", () => {
  it("pages ListContainerInstances by 100 and describes each page once, joined by ec2InstanceId", async () => {
    const view = await readEcsView(ecs);
    expect(view.clusters.map((c) => c.name)).toEqual(["big", "empty", "small"]);
    expect(view.missing).toEqual([]);
    expect(view.byInstance.size).toBe(252);
    expect(view.byInstance.get(idOf(251))).toEqual({
      ec2InstanceId: idOf(251),
      cluster: "small",
      arn: expect.stringContaining("container-instance/small/"),
      status: "ACTIVE",
      agentConnected: true,
      agentVersion: "1.89.3",
      registeredAt: "2026-01-01T00:04:11.000Z",
    });
    expect(view.byInstance.get(idOf(252))?.agentConnected).toBe(false);
    expect(view.byInstance.get(idOf(300))).toBeUndefined();

    const lists = await simCalls(sim.url, "ListContainerInstances");
    const describes = await simCalls(sim.url, "DescribeContainerInstances");
    // big: 3 pages (100, 100, 50); empty: 1; small: 1. A describe per non-empty page, never one per instance.
    expect(lists).toHaveLength(5);
    expect(lists.every((c) => c.params.maxResults === 100)).toBe(true);
    expect(describes.map((c) => (c.params.containerInstances as string[]).length)).toEqual([100, 100, 50, 2]);
    expect(await simCalls(sim.url, "ListClusters")).toHaveLength(1);
  });

  it("says which clusters asked for ECS does not have, by name or ARN, and looks at the ones it has", async () => {
    const view = await readEcsView(ecs, { clusters: ["nope", "small", arnOf("gone"), arnOf("big"), ""] });
    expect(view.missing).toEqual(["nope", arnOf("gone")]);
    expect(view.byInstance.size).toBe(252);
    const home = { region: "us-east-1", account: ACCOUNT };
    expect(clusterMissing(view, "nope", home)).toBe(true);
    expect(clusterMissing(view, "small", home)).toBe(false);
    expect(clusterMissing(view, arnOf("big"), home)).toBe(false);
    // Unset or empty ECS_CLUSTER is "default", which this account does not have.
    expect(clusterMissing(view, undefined, home)).toBe(true);
    expect(clusterMissing(view, "  ", home)).toBe(true);
    // Not asked: ListClusters lists every cluster of the account and region, so an unlisted name is missing...
    expect(clusterMissing(view, "other", home)).toBe(true);
    // ...but an ARN of another account or region was never looked at.
    expect(clusterMissing(view, "arn:aws:ecs:eu-west-1:123456789012:cluster/x", home)).toBe(false);
    expect(clusterMissing(view, "arn:aws:ecs:us-east-1:999999999999:cluster/x", home)).toBe(false);
    expect(clusterMissing(view, arnOf("x"), home)).toBe(true);
  });

  it("fails with the operation and AWS's code when IAM denies a call", async () => {
    await fetch(`${sim.url}/_sim/faults`, {
      method: "POST",
      body: JSON.stringify({ deny: ["ListContainerInstances"] }),
    });
    const failure = await readEcsView(ecs).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(FleetDoctorError);
    expect(failure).toMatchObject({
      code: "AWS_ERROR",
      details: { operation: "ListContainerInstances", code: "AccessDeniedException" },
    });
    expect((failure as Error).message).toContain("not authorized to perform: ecs:ListContainerInstances");
  });

  it("paces its calls", async () => {
    const started = Date.now();
    await readEcsView(ecs, { pace: pacer(20) });
    const calls = (await simCalls(sim.url)).length; // 1 ListClusters + 5 List + 4 Describe
    expect(calls).toBe(10);
    expect(Date.now() - started).toBeGreaterThanOrEqual(((calls - 1) / 20) * 1000 - 20);
  });
});
