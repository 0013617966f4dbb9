/**
 * The simulator's ECS API (awsJson1_1, AmazonEC2ContainerServiceV20141113) through the real SDK and the real AWS
 * CLI, against the demo fleet: clusters are the hosts' ECS_CLUSTER values, container instances are the hosts whose
 * agent registered (the introspection answer), everything else is absent.
 */
import {
  ClusterNotFoundException,
  DescribeContainerInstancesCommand,
  ECSClient,
  InvalidParameterException,
  ListClustersCommand,
  ListContainerInstancesCommand,
  paginateListClusters,
  paginateListContainerInstances,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCli } from "../test/helpers/aws-cli.ts";
import { type Simulator, startSimulator } from "./main.ts";

type SimHost = {
  instanceId: string;
  agent: { phase: string; cluster?: string; containerInstanceArn?: string; runningVersion?: string };
  ecsConfig: string;
  failure?: string;
};

let sim: Simulator;
let ecs: ECSClient;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, scenario: "demo", exec: "model" });
  ecs = new ECSClient({
    endpoint: sim.url,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
}, 60_000);

afterAll(async () => {
  ecs?.destroy();
  await sim?.close();
});

async function simHosts(): Promise<SimHost[]> {
  return ((await (await fetch(`${sim.url}/_sim/hosts`)).json()) as { hosts: SimHost[] }).hosts;
}

/** Registered hosts by cluster, as the host model (the introspection endpoint's view) has them. */
async function registeredByCluster(): Promise<Map<string, SimHost[]>> {
  const out = new Map<string, SimHost[]>();
  for (const h of await simHosts()) {
    if (h.agent.phase !== "registered" || !h.agent.containerInstanceArn) continue;
    const c = h.agent.cluster ?? "default";
    out.set(c, [...(out.get(c) ?? []), h]);
  }
  return out;
}

async function allClusterArns(pageSize: number): Promise<{ arns: string[]; pages: number }> {
  const arns: string[] = [];
  let pages = 0;
  for await (const page of paginateListClusters({ client: ecs, pageSize }, { maxResults: pageSize })) {
    pages++;
    expect(page.clusterArns!.length).toBeLessThanOrEqual(pageSize);
    arns.push(...page.clusterArns!);
  }
  return { arns, pages };
}

describe("ListClusters", () => {
  it("lists every ECS_CLUSTER the hosts use, paged with nextToken; not one only a cluster-not-found host names", async () => {
    const whole = (await ecs.send(new ListClustersCommand({}))).clusterArns!;
    const names = whole.map((a) => a.split("/").at(-1));
    const clusterOf = (h: SimHost) => {
      const m = /^ECS_CLUSTER=(.*)$/m.exec(h.ecsConfig);
      return m ? [m[1]!.trim() || "default"] : [];
    };
    const hosts = await simHosts();
    const configured = new Set(hosts.filter((h) => h.failure !== "cluster-not-found").flatMap(clusterOf));
    const missing = hosts.filter((h) => h.failure === "cluster-not-found").flatMap(clusterOf);
    expect(configured.size).toBeGreaterThan(1);
    expect(missing.length).toBeGreaterThan(0);
    for (const c of configured) expect(names).toContain(c);
    for (const c of missing) expect(names).not.toContain(c);
    for (const a of whole) expect(a).toMatch(/^arn:aws:ecs:us-east-1:\d{12}:cluster\/[\w-]+$/);

    const paged = await allClusterArns(2);
    expect(paged.pages).toBe(Math.ceil(whole.length / 2));
    expect(paged.arns).toEqual(whole);
  });

  it("refuses maxResults over 100 and a token it did not issue", async () => {
    const err = await ecs.send(new ListClustersCommand({ maxResults: 101 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidParameterException);
    expect((err as Error).message).toBe(
      "1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100",
    );
    expect((err as InvalidParameterException).$metadata.httpStatusCode).toBe(400);
    expect((err as InvalidParameterException).$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const zero = await ecs.send(new ListClustersCommand({ maxResults: 0 })).catch((e: unknown) => e);
    expect(zero).toBeInstanceOf(InvalidParameterException);
    const token = await ecs.send(new ListClustersCommand({ nextToken: "garbage" })).catch((e: unknown) => e);
    expect(token).toBeInstanceOf(InvalidParameterException);
  });
});

describe("ListContainerInstances", () => {
  it("lists exactly the hosts whose agent registered with the cluster, by name or ARN, paged", async () => {
    const registered = await registeredByCluster();
    expect(registered.size).toBeGreaterThan(0);
    const clusters = (await ecs.send(new ListClustersCommand({}))).clusterArns!;
    for (const arn of clusters) {
      const name = arn.split("/").at(-1)!;
      const expected = (registered.get(name) ?? []).map((h) => h.agent.containerInstanceArn!).sort();
      const listed: string[] = [];
      for await (const page of paginateListContainerInstances(
        { client: ecs, pageSize: 3 },
        { cluster: name, maxResults: 3 },
      ))
        listed.push(...page.containerInstanceArns!);
      expect(listed.sort(), name).toEqual(expected);
      const byArn = await ecs.send(new ListContainerInstancesCommand({ cluster: arn, status: "ACTIVE" }));
      expect(byArn.containerInstanceArns!.sort()).toEqual(expected);
      const draining = await ecs.send(new ListContainerInstancesCommand({ cluster: arn, status: "DRAINING" }));
      expect(draining.containerInstanceArns).toEqual([]);
    }
    // Hosts whose agent never registered are nowhere.
    const everywhere = new Set([...registered.values()].flat().map((h) => h.instanceId));
    const unregistered = (await simHosts()).filter((h) => !everywhere.has(h.instanceId));
    expect(unregistered.length).toBeGreaterThan(0);
  });

  it("answers an unknown cluster with ClusterNotFoundException and bad limits with InvalidParameterException", async () => {
    const err = await ecs
      .send(new ListContainerInstancesCommand({ cluster: "no-such-cluster" }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterNotFoundException);
    expect((err as Error).message).toBe("Cluster not found.");
    const big = await ecs
      .send(new ListContainerInstancesCommand({ cluster: "prod-web", maxResults: 101 }))
      .catch((e: unknown) => e);
    expect(big).toBeInstanceOf(InvalidParameterException);
    expect((big as Error).message).toContain("Member must have value less than or equal to 100");
    const status = await ecs
      .send(new ListContainerInstancesCommand({ cluster: "prod-web", status: "BOGUS" as "ACTIVE" }))
      .catch((e: unknown) => e);
    expect(status).toBeInstanceOf(InvalidParameterException);
  });

  it("the default cluster is asked when none is named, and it is not found when no host uses it", async () => {
    const hasDefault = (await ecs.send(new ListClustersCommand({}))).clusterArns!.some((a) => a.endsWith("/default"));
    const r = await ecs.send(new ListContainerInstancesCommand({})).catch((e: unknown) => e);
    if (hasDefault) expect(r).toHaveProperty("containerInstanceArns");
    else expect(r).toBeInstanceOf(ClusterNotFoundException);
  });
});

describe("DescribeContainerInstances", () => {
  it("describes registered instances by ARN or id, with the introspection's ARN, and reports unknown ones MISSING", async () => {
    const registered = await registeredByCluster();
    const [cluster, hosts] = [...registered.entries()].sort((a, b) => b[1].length - a[1].length)[0]!;
    const arns = hosts.map((h) => h.agent.containerInstanceArn!);
    const byId = arns[0]!.split("/").at(-1)!;
    const missing = "arn:aws:ecs:us-east-1:123456789012:container-instance/nope/0123456789abcdef0123456789abcdef";
    const started = Date.now() / 1000;
    const r = await ecs.send(
      new DescribeContainerInstancesCommand({ cluster, containerInstances: [...arns.slice(1), byId, missing] }),
    );
    expect(r.failures).toEqual([{ arn: missing, reason: "MISSING" }]);
    expect(r.containerInstances).toHaveLength(arns.length);
    for (const ci of r.containerInstances!) {
      const host = hosts.find((h) => h.agent.containerInstanceArn === ci.containerInstanceArn)!;
      expect(host).toBeDefined();
      // The introspection endpoint of the host answers with the same ARN.
      const intro = (await (await fetch(`${sim.url}/_hosts/${host.instanceId}/agent/v1/metadata`)).json()) as {
        ContainerInstanceArn: string;
        Cluster: string;
      };
      expect(intro).toMatchObject({ ContainerInstanceArn: ci.containerInstanceArn, Cluster: cluster });
      expect(ci).toMatchObject({
        ec2InstanceId: host.instanceId,
        status: "ACTIVE",
        agentConnected: true,
        runningTasksCount: 0,
        pendingTasksCount: 0,
        versionInfo: { agentVersion: host.agent.runningVersion },
      });
      expect(ci.registeredAt).toBeInstanceOf(Date);
      expect(ci.registeredAt!.getTime() / 1000).toBeLessThanOrEqual(started + 1);
    }
  });

  it("refuses more than 100 instances and a missing list; an unknown cluster is not found", async () => {
    const many = Array.from({ length: 101 }, (_, i) => `0123456789abcdef0123456789abc${String(i).padStart(3, "0")}`);
    const err = await ecs
      .send(new DescribeContainerInstancesCommand({ cluster: "prod-web", containerInstances: many }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidParameterException);
    expect((err as Error).message).toContain("Member must have length less than or equal to 100");
    const none = await ecs
      .send(new DescribeContainerInstancesCommand({ cluster: "prod-web" } as never))
      .catch((e: unknown) => e);
    expect(none).toBeInstanceOf(InvalidParameterException);
    const gone = await ecs
      .send(new DescribeContainerInstancesCommand({ cluster: "nope", containerInstances: ["x"] }))
      .catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(ClusterNotFoundException);
  });
});

describe("the real AWS CLI", () => {
  const aws = awsCli(() => sim.url);

  it("list-clusters, list-container-instances, describe-container-instances and the errors", async () => {
    const sdk = (await ecs.send(new ListClustersCommand({}))).clusterArns!;
    const clusters = await aws("ecs", "list-clusters");
    expect(clusters.out.clusterArns).toEqual(sdk);
    // The CLI's own paginator, one cluster a page.
    const paged = await aws("ecs", "list-clusters", "--page-size", "1");
    expect(paged.out.clusterArns).toEqual(sdk);

    const [cluster, hosts] = [...(await registeredByCluster()).entries()][0]!;
    const listed = await aws("ecs", "list-container-instances", "--cluster", cluster);
    expect((listed.out.containerInstanceArns as string[]).sort()).toEqual(
      hosts.map((h) => h.agent.containerInstanceArn).sort(),
    );
    const described = await aws(
      "ecs",
      "describe-container-instances",
      "--cluster",
      cluster,
      "--container-instances",
      hosts[0]!.agent.containerInstanceArn!,
      "unknown-id",
    );
    expect(described.code).toBe(0);
    expect(described.out.containerInstances).toEqual([
      expect.objectContaining({ ec2InstanceId: hosts[0]!.instanceId, agentConnected: true, status: "ACTIVE" }),
    ]);
    expect(described.out.failures).toEqual([{ arn: "unknown-id", reason: "MISSING" }]);

    const notFound = await aws("ecs", "list-container-instances", "--cluster", "no-such-cluster");
    expect(notFound.code).not.toBe(0);
    expect(notFound.err).toContain("(ClusterNotFoundException)");
    expect(notFound.err).toContain("Cluster not found.");
    const tooMany = await aws("ecs", "list-clusters", "--max-items", "5", "--page-size", "101");
    expect(tooMany.err).toContain("(InvalidParameterException)");
  }, 60_000);
});
