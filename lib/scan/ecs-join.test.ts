/**
 * The scan joins ECS's view (issue 16, item 3): each result carries what ECS says of its instance (registered or
 * not, cluster, status, agent connected, agent version, registered at), a container instance SSM does not manage is
 * listed by a full scan, a cluster named in ecs.config that ECS lacks is named, an unregistered InService member past
 * the grace period is overdue, and a scan without ECS permissions still ends, saying why it has no ECS view.
 *
 * The small scenario's fleet, with two changes made through the simulator's fleet (its ECS API answers from it):
 * the `default` cluster does not exist, and ECS has a disconnected container instance on a host SSM does not know.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Simulator } from "../../sim/main.ts";
import { scanToEnd, simScanContext } from "../../test/helpers/scan-context.ts";
import { simEnv, startSimOverriding } from "../../test/helpers/sim.ts";
import { openStore, type Store } from "../store/store.ts";
import type { ScanContext } from "./run-scan.ts";

const HEALTHY = "i-0a000000000000001"; // registered in `web`
const READY_404 = "i-0a000000000000003"; // InService in `web`'s group, agent exited: never registered
const UNREACHABLE = "i-0a000000000000007"; // SSM ConnectionLost, but registered
const ON_DEFAULT = "i-0a000000000000009"; // ECS_CLUSTER unset: `default`, which this account lacks here
const ECS_ONLY = "i-0e000000000000099"; // registered in `web`, unknown to SSM, agent disconnected

let sim: Simulator;
let store: Store;

beforeAll(async () => {
  sim = await startSimOverriding({ scenario: "small", exec: "model" }, (real) => ({
    clusters: () => real.clusters().filter((c) => c.name !== "default"),
    containerInstances: () => {
      const web = real.clusters().find((c) => c.name === "web")!;
      return [
        ...real.containerInstances().filter((ci) => ci.cluster !== "default"),
        {
          instanceId: ECS_ONLY,
          cluster: "web",
          containerInstanceArn: web.arn.replace(
            ":cluster/web",
            ":container-instance/web/0123456789abcdef0123456789abcdef",
          ),
          agentConnected: false,
          agentVersion: "1.88.0",
          registeredAt: new Date("2026-01-02T03:04:05Z"),
        },
      ];
    },
  }));
  Object.assign(process.env, simEnv(sim.url));
}, 60_000);

afterAll(async () => {
  store?.close();
  await sim?.close();
});

beforeEach(async () => {
  store?.close();
  store = openStore(":memory:");
  await fetch(`${sim.url}/_sim/faults`, { method: "POST", body: "{}" });
});

const context = (joinGraceSeconds: number): ScanContext => {
  const base = simScanContext(store);
  return { ...base, config: { ...base.config, joinGraceSeconds } };
};

describe("a scan with ECS's view", () => {
  it("carries each instance's registration, and lists container instances SSM does not manage", async () => {
    const { results, events, scanId } = await scanToEnd({ kind: "all" }, context(0));
    expect(events.at(-1)).toMatchObject({ type: "scan-finished" });
    const registered = (await (await fetch(`${sim.url}/_sim/hosts`)).json()) as {
      hosts: { instanceId: string; agent: { phase: string; containerInstanceArn?: string; cluster?: string } }[];
    };
    const healthyHost = registered.hosts.find((h) => h.instanceId === HEALTHY)!;
    expect(results.get(HEALTHY)?.ecs).toEqual({
      registered: true,
      clustersSearched: 2,
      cluster: "web",
      arn: healthyHost.agent.containerInstanceArn,
      status: "ACTIVE",
      agentConnected: true,
      agentVersion: expect.stringMatching(/^\d+\.\d+\.\d+$/),
      registeredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    // SSM cannot reach it, ECS still says it joined.
    expect(results.get(UNREACHABLE)?.ecs).toMatchObject({ registered: true, cluster: "web" });

    // Not registered, InService in its group, in service longer than the grace (0 s here): overdue. The cluster
    // its ecs.config names exists, so nothing is missing.
    expect(results.get(READY_404)?.ecs).toEqual({ registered: false, clustersSearched: 2, overdue: true });
    // Its ecs.config leaves ECS_CLUSTER unset: `default`, which ECS does not have. In no group: not overdue.
    expect(results.get(ON_DEFAULT)?.ecs).toEqual({ registered: false, clustersSearched: 2, clusterMissing: "default" });

    // ECS has it, SSM does not: a full scan lists it, as not managed, with ECS's word on it.
    const only = results.get(ECS_ONLY);
    expect(only?.outcome).toMatchObject({ status: "NotSent", statusDetails: "NotManaged" });
    expect(only?.ecs).toMatchObject({ registered: true, agentConnected: false, agentVersion: "1.88.0" });
    expect(only?.ecs?.registeredAt).toBe("2026-01-02T03:04:05.000Z");
    expect(events.find((e) => e.type === "inventory")).toMatchObject({ total: results.size });

    // Stored with the result and in the listing: filter on it.
    const yes = await store.latestResults({ registered: "yes" });
    expect(yes.items.map((i) => i.instanceId)).toEqual(expect.arrayContaining([HEALTHY, UNREACHABLE, ECS_ONLY]));
    expect(yes.items.every((i) => i.registered === true)).toBe(true);
    const no = await store.latestResults({ registered: "no" });
    expect(no.items.map((i) => i.instanceId)).toEqual(expect.arrayContaining([READY_404, ON_DEFAULT]));
    expect(no.total + yes.total).toBe(results.size);
    expect((await store.latestResults({ registered: "not-asked" })).total).toBe(0);
    expect((await store.scanResult(scanId, READY_404))?.ecs).toEqual(results.get(READY_404)?.ecs);
  });

  it("calls an unregistered member overdue only past the grace period since its boot", async () => {
    const first = await scanToEnd({ kind: "ids", ids: [READY_404] }, context(0));
    const r = first.results.get(READY_404)!;
    expect(r.ecs?.overdue).toBe(true);
    const report = JSON.parse((await store.scanResult(first.scanId, READY_404))!.rawOutput) as { os: { boot: string } };
    const upSeconds = (Date.now() - Date.parse(report.os.boot)) / 1000;
    expect(upSeconds).toBeGreaterThan(0);
    const later = await scanToEnd({ kind: "ids", ids: [READY_404] }, context(Math.ceil(upSeconds) + 3600));
    expect(later.results.get(READY_404)?.ecs).toEqual({ registered: false, clustersSearched: 2 });
  });

  it("goes on without ECS when IAM denies it, and says so in a warning and the scan's note", async () => {
    await fetch(`${sim.url}/_sim/faults`, { method: "POST", body: JSON.stringify({ deny: ["ListClusters"] }) });
    const { results, events, scanId } = await scanToEnd({ kind: "all" }, context(0));
    expect(events.at(-1)).toMatchObject({ type: "scan-finished", status: "completed" });
    const warning = events.find((e) => e.type === "warning" && e.kind === "ecs");
    expect(warning).toMatchObject({ message: expect.stringContaining("AccessDeniedException") });
    expect((await store.getScan(scanId))?.ecsNote).toContain("ListClusters failed: AccessDeniedException");
    expect(results.size).toBe(9); // SSM's instances only: nothing from ECS
    expect([...results.values()].every((r) => r.ecs === undefined)).toBe(true);
    expect((await store.latestResults({ registered: "not-asked" })).total).toBe(9);
  });
});
