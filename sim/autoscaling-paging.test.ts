/**
 * The calls the inventory reads group membership with, paged as AWS pages them: DescribeAutoScalingGroups (up to 100
 * groups a page, every group with all of its instances except the warm pool's) and DescribeWarmPool (up to 50
 * instances a page). Through the real SDK paginators, page by page, against the demo fleet.
 */
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeWarmPoolCommand,
  paginateDescribeAutoScalingGroups,
  paginateDescribeWarmPool,
} from "@aws-sdk/client-auto-scaling";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "./main.ts";

let sim: Simulator;
let asg: AutoScalingClient;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, scenario: "demo", exec: "model" });
  asg = new AutoScalingClient({
    endpoint: sim.url,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
}, 60_000);

afterAll(async () => {
  asg?.destroy();
  await sim?.close();
});

describe("group membership by group, paged", () => {
  it("DescribeAutoScalingGroups pages groups with NextToken and leaves warm-pool instances to DescribeWarmPool", async () => {
    const whole = (await asg.send(new DescribeAutoScalingGroupsCommand({ MaxRecords: 100 }))).AutoScalingGroups!;
    expect(whole.length).toBeGreaterThan(1);
    const paged: string[] = [];
    let pages = 0;
    for await (const page of paginateDescribeAutoScalingGroups({ client: asg, pageSize: 1 }, { MaxRecords: 1 })) {
      pages++;
      paged.push(...(page.AutoScalingGroups ?? []).map((g) => g.AutoScalingGroupName!));
    }
    expect(pages).toBe(whole.length);
    expect(paged).toEqual(whole.map((g) => g.AutoScalingGroupName));

    const warm = whole.find((g) => g.WarmPoolConfiguration)!;
    expect(warm).toBeDefined();
    const name = warm.AutoScalingGroupName!;
    const pool = (await asg.send(new DescribeWarmPoolCommand({ AutoScalingGroupName: name, MaxRecords: 50 })))
      .Instances!;
    expect(pool.length).toBeGreaterThan(1);
    for (const i of pool) expect(i.LifecycleState).toMatch(/^Warmed:/);
    const inGroup = new Set((warm.Instances ?? []).map((i) => i.InstanceId));
    for (const i of pool) expect(inGroup.has(i.InstanceId)).toBe(false);
    expect(warm.WarmPoolSize).toBe(pool.length);

    const pagedPool: string[] = [];
    let poolPages = 0;
    for await (const page of paginateDescribeWarmPool(
      { client: asg, pageSize: 1 },
      { AutoScalingGroupName: name, MaxRecords: 1 },
    )) {
      poolPages++;
      pagedPool.push(...(page.Instances ?? []).map((i) => i.InstanceId!));
    }
    expect(poolPages).toBe(pool.length);
    expect(pagedPool).toEqual(pool.map((i) => i.InstanceId));
  });
});
