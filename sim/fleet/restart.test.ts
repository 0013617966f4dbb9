/** `systemctl restart ecs` re-runs the agent's start logic against the host's current group membership. */
import { afterEach, describe, expect, it } from "vitest";
import { ID, oneHost, sh, startFleet, type TestFleet } from "./test-helpers.ts";

let t: TestFleet | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const LOG = '"$FLEET_DOCTOR_ROOT/var/log/ecs/ecs-agent.log"';
const CHECK_ON = { ECS_CLUSTER: "prod", ECS_WARM_POOLS_CHECK: "true" };
/** Waits (bounded) until introspection answers, printing its body. */
const WAIT_REGISTERED = `for i in $(seq 1 100); do b=$(curl -s "$FLEET_DOCTOR_AGENT_URL/v1/metadata") && { echo "$b"; break; }; sleep 0.1; done`;
const WAIT_FAILED = "for i in $(seq 1 100); do systemctl is-failed -q ecs && break; sleep 0.1; done";

describe("systemctl restart ecs", () => {
  it("brings up a failed affected agent whose group now publishes InService", async () => {
    t = await startFleet(
      oneHost({
        agentVersion: "1.89.3",
        launchedAgo: "2h",
        ecsConfig: CHECK_ON,
        group: { name: "web", joinedAgo: "1h" },
      }),
    );
    expect(t.fleet.membership(ID)).toEqual({ group: "web", lifecycleState: "InService", inWarmPool: false });
    const out = await sh(
      t.fleet,
      ID,
      `systemctl is-active ecs; systemctl restart ecs; echo "restart=$?"; systemctl is-active ecs; ${WAIT_REGISTERED}; tail -n 4 ${LOG}`,
    );
    const lines = out.trim().split("\n");
    expect(lines.slice(0, 3)).toEqual(["failed", "restart=0", "active"]);
    expect(JSON.parse(lines[3]!)).toMatchObject({ Cluster: "prod", Version: "Amazon ECS Agent - v1.89.3 (fb1fb409)" });
    expect(out).toMatch(/msg="Instance registration completed successfully"/);
    expect((t.fleet.describe(ID) as { agent: { phase: string } }).agent.phase).toBe("registered");
  });

  it("fails a standalone affected agent again, with a new critical line lifecycleFailureSeconds later", async () => {
    t = await startFleet(
      oneHost(
        { agentVersion: "1.90.0", launchedAgo: "2h", ecsConfig: CHECK_ON },
        { timing: { lifecycleFailureSeconds: 2 } },
      ),
    );
    const out = await sh(
      t.fleet,
      ID,
      // The old lines may sit in an hourly rotated file by now: count over every file, oldest first.
      `cd "$FLEET_DOCTOR_ROOT/var/log/ecs"; all() { cat $(ls -tr ecs-agent.log*); }
all | grep -c 'level=critical'; systemctl restart ecs; systemctl is-active ecs; ${WAIT_FAILED}; systemctl is-active ecs
all | grep -c 'level=critical'; all | grep -E 'Waiting for instance|level=critical' | tail -n 2`,
    );
    const lines = out.trim().split("\n");
    expect(lines.slice(0, 4)).toEqual(["1", "active", "failed", "2"]);
    const wait = /time=(\S+) msg="Waiting for instance to go InService"/.exec(lines[4]!);
    const crit =
      /^level=critical time=(\S+) msg="Could not determine target lifecycle of instance: .*StatusCode: 404/.exec(
        lines[5]!,
      );
    expect(wait && crit).toBeTruthy();
    expect((Date.parse(crit![1]!) - Date.parse(wait![1]!)) / 1000).toBe(2);
    // The new failure is recent: after the restart, not the one from two hours ago.
    expect(Date.now() - Date.parse(crit![1]!)).toBeLessThan(60_000);
    const init = await sh(
      t.fleet,
      ID,
      'cat "$FLEET_DOCTOR_ROOT"/var/log/ecs/ecs-init.log* | grep -c "agent exited with terminal exit code: 5"',
    );
    expect(init).toBe("2\n");
  });

  it("works after AttachInstances once the group has published the state", async () => {
    t = await startFleet(oneHost({ agentVersion: "1.91.0", launchedAgo: "1h", ecsConfig: CHECK_ON }));
    expect(t.fleet.membership(ID)).toBeUndefined();
    t.fleet.attach("web", [ID]);
    expect(t.fleet.membership(ID)).toEqual({ group: "web", lifecycleState: "Pending", inWarmPool: false });
    expect(
      t.fleet
        .groups()
        .find((g) => g.name === "web")!
        .instances.map((i) => i.instanceId),
    ).toEqual([ID]);
    const out = await sh(
      t.fleet,
      ID,
      `T=$(curl -s -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' "$FLEET_DOCTOR_IMDS_URL/latest/api/token")
for i in $(seq 1 100); do s=$(curl -sf -H "X-aws-ec2-metadata-token: $T" "$FLEET_DOCTOR_IMDS_URL/latest/meta-data/autoscaling/target-lifecycle-state") && break; sleep 0.1; done
echo "state=$s"
systemctl restart ecs
${WAIT_REGISTERED}`,
    );
    expect(out).toMatch(/^state=InService\n\{"Cluster":"prod"/);
    expect(t.fleet.membership(ID)!.lifecycleState).toBe("InService");
  });

  it("a detached host's IMDS goes back to 404 and its next start fails", async () => {
    t = await startFleet(
      oneHost({ agentVersion: "1.89.3", launchedAgo: "1h", ecsConfig: CHECK_ON, group: { name: "web" } }),
    );
    expect((t.fleet.describe(ID) as { agent: { phase: string } }).agent.phase).toBe("registered");
    t.fleet.detach("web", [ID], true);
    expect(t.fleet.membership(ID)).toBeUndefined();
    const out = await sh(t.fleet, ID, `systemctl restart ecs; ${WAIT_FAILED}; systemctl is-active ecs`);
    expect(out).toBe("failed\n");
  });

  it("stop and start", async () => {
    t = await startFleet(oneHost({ agentVersion: "1.91.1", group: { name: "web" } }));
    const out = await sh(
      t.fleet,
      ID,
      `systemctl stop ecs; systemctl is-active ecs; curl -s "$FLEET_DOCTOR_AGENT_URL/v1/metadata" || echo refused; systemctl start ecs; ${WAIT_REGISTERED} >/dev/null; systemctl is-active ecs; grep -c 'Restored from checkpoint file' ${LOG}`,
    );
    expect(out).toBe("inactive\nrefused\nactive\n1\n");
  });

  it("attach and detach validate like Auto Scaling", async () => {
    t = await startFleet(oneHost({ group: { name: "web" } }));
    expect(() => t!.fleet.attach("nope", [ID])).toThrow(/AutoScalingGroup name not found/);
    expect(() => t!.fleet.attach("batch", [ID])).toThrow(/already part of Auto Scaling group web/);
    expect(() => t!.fleet.attach("web", ["i-0000000000000000f"])).toThrow(/does not exist/);
    expect(() => t!.fleet.detach("batch", [ID], false)).toThrow(/not part of Auto Scaling group batch/);
  });
});
