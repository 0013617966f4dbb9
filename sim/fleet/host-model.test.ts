/**
 * The host model as a script on the host sees it: logs, ecs.config, the systemctl / rpm shims, IMDS and
 * introspection, through Fleet.run (real bash) and the fleet's own HTTP endpoints.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ID, oneHost, sh, startFleet, type TestFleet, wholeLog } from "./test-helpers.ts";

let t: TestFleet | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const LOGS = '"$FLEET_DOCTOR_ROOT/var/log/ecs"';
const imdsGet = (p: string) =>
  `T=$(curl -s -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' "$FLEET_DOCTOR_IMDS_URL/latest/api/token"); curl -s -o /dev/null -w '%{http_code}' -H "X-aws-ec2-metadata-token: $T" "$FLEET_DOCTOR_IMDS_URL/latest/meta-data/${p}"`;
const CHECK_ON = { ECS_CLUSTER: "prod", ECS_WARM_POOLS_CHECK: "true" };

describe("affected agent, check on, no lifecycle state", () => {
  it.each(["1.89.3", "1.90.0", "1.91.0"])("%s writes the two lines 5 s apart, exits 5 and stays failed", async (v) => {
    t = await startFleet(oneHost({ agentVersion: v, ecsConfig: CHECK_ON }, { timing: { lifecycleFailureSeconds: 5 } }));
    const out = await sh(t.fleet, ID, `${wholeLog("ecs-agent.log")}`);
    const wait = /^level=info time=(\S+) msg="Waiting for instance to go InService" module=agent.go$/m.exec(out);
    const crit =
      /^level=critical time=(\S+) msg="Could not determine target lifecycle of instance: operation error ec2imds: GetMetadata, http response error StatusCode: 404, request to EC2 IMDS failed" module=agent.go$/m.exec(
        out,
      );
    expect(wait && crit).toBeTruthy();
    expect((Date.parse(crit![1]!) - Date.parse(wait![1]!)) / 1000).toBe(5);
    const init = await sh(t.fleet, ID, `${wholeLog("ecs-init.log")}`);
    expect(init).toMatch(
      /level=info time=\S+ msg="Agent exited with code 5"\nlevel=error time=\S+ msg="agent exited with terminal exit code: 5"/,
    );
    const show = await sh(
      t.fleet,
      ID,
      "systemctl show ecs -p ActiveState,SubState,Result,ExecMainStatus,NRestarts; systemctl is-active ecs; echo rc=$?",
    );
    expect(show).toBe(
      "ActiveState=failed\nSubState=failed\nResult=exit-code\nExecMainStatus=5\nNRestarts=0\nfailed\nrc=3\n",
    );
    expect(await sh(t.fleet, ID, imdsGet("autoscaling/target-lifecycle-state"))).toBe("404");
    const intro = await sh(t.fleet, ID, 'curl -sS "$FLEET_DOCTOR_AGENT_URL/v1/metadata"; echo " rc=$?"');
    expect(intro).toBe(" rc=7\n");
    expect(await sh(t.fleet, ID, "rpm -q ecs-init")).toBe(`ecs-init-${v}-1.amzn2023.x86_64\n`);
  });

  it("reads the check with Go ParseBool semantics over both config files, last one wins", async () => {
    const cases: [Record<string, unknown>, boolean][] = [
      [{ ecsConfig: { ECS_WARM_POOLS_CHECK: "1" } }, true],
      [{ ecsConfig: 'ECS_WARM_POOLS_CHECK="true"\n' }, false],
      [{ ecsConfig: "ECS_WARM_POOLS_CHECK=true # on\n" }, false],
      [{ ecsConfig: "ECS_WARM_POOLS_CHECK=TRUE\r\n" }, true],
      [{ ecsConfig: "ECS_WARM_POOLS_CHECK=true\nECS_WARM_POOLS_CHECK=false\n" }, false],
      [{ instanceEcsConfig: "ECS_WARM_POOLS_CHECK=true\n", ecsConfig: "ECS_CLUSTER=x\n" }, true],
      [{ instanceEcsConfig: "ECS_WARM_POOLS_CHECK=true\n", ecsConfig: "ECS_WARM_POOLS_CHECK=f\n" }, false],
      [{ ecsConfig: "#ECS_WARM_POOLS_CHECK=true\n" }, false],
    ];
    t = await startFleet({
      name: "parse",
      timing: { lifecycleFailureSeconds: 1 },
      hosts: cases.map(([h], i) => ({
        id: `i-0123456789abcde${i.toString(16).padStart(2, "0")}`,
        agentVersion: "1.89.3",
        launchedAgo: "10m",
        ...h,
      })),
    });
    for (const [i, [, on]] of cases.entries()) {
      const d = t.fleet.describe(`i-0123456789abcde${i.toString(16).padStart(2, "0")}`) as {
        service: { activeState: string };
      };
      expect(d.service.activeState, `case ${i}`).toBe(on ? "failed" : "active");
    }
    const log = await sh(
      t.fleet,
      "i-0123456789abcde01",
      `${wholeLog("ecs-agent.log")} | grep -c -F 'Invalid format for \\"ECS_WARM_POOLS_CHECK\\", expected a boolean. err strconv.ParseBool: parsing \\"\\\\\\"true\\\\\\"\\": invalid syntax'`,
    );
    expect(log).toBe("1\n");
  });
});

describe("fixed agents", () => {
  it("1.91.1 polls the 404 with debug lines and gives up after the rounds", async () => {
    t = await startFleet(
      oneHost(
        { agentVersion: "1.91.1", launchedAgo: "60s", ecsConfig: { ...CHECK_ON, ECS_LOGLEVEL: "debug" } },
        { timing: { pollSeconds: 5, maxPollRounds: 4 } },
      ),
    );
    const out = await sh(t.fleet, ID, `${wholeLog("ecs-agent.log")}`);
    expect(out.match(/level=debug time=\S+ msg="Target lifecycle state of instance: " module=agent.go/g)).toHaveLength(
      4,
    );
    expect(out).toMatch(/level=critical .*StatusCode: 404/);
    expect((t.fleet.describe(ID) as { service: { activeState: string } }).service.activeState).toBe("failed");
  });

  it("keeps waiting on a 404 within the rounds, and writes no debug lines at info level", async () => {
    t = await startFleet(oneHost({ agentVersion: "1.93.1", launchedAgo: "10m", ecsConfig: CHECK_ON }));
    const out = await sh(t.fleet, ID, `cat ${LOGS}/ecs-agent.log*; systemctl is-active ecs`);
    expect(out).toMatch(/Waiting for instance to go InService/);
    expect(out).not.toMatch(/level=debug|level=critical/);
    expect(out).toMatch(/active\n$/);
  });

  it("Warmed:* keeps even an affected agent waiting", async () => {
    t = await startFleet(
      oneHost({ agentVersion: "1.89.3", ecsConfig: CHECK_ON, group: { name: "batch", state: "Warmed:Running" } }),
    );
    const out = await sh(
      t.fleet,
      ID,
      `${wholeLog("ecs-agent.log")} | grep -c critical; systemctl is-active ecs; ${imdsGet("autoscaling/target-lifecycle-state")}`,
    );
    expect(out).toBe("0\nactive\n200");
    expect(t.fleet.membership(ID)).toEqual({ group: "batch", lifecycleState: "Warmed:Running", inWarmPool: true });
    expect(
      t.fleet
        .groups()
        .find((g) => g.name === "batch")!
        .warmPool!.instances.map((i) => i.instanceId),
    ).toEqual([ID]);
  });
});

describe("registered agents", () => {
  it("InService lets it register; introspection answers", async () => {
    t = await startFleet(oneHost({ ecsConfig: CHECK_ON, group: { name: "web" } }));
    const out = await sh(
      t.fleet,
      ID,
      `${wholeLog("ecs-agent.log")} | grep -c 'Instance registration completed successfully'; curl -s "$FLEET_DOCTOR_AGENT_URL/v1/metadata"`,
    );
    const [count, json] = out.split("\n");
    expect(count).toBe("1");
    const body = JSON.parse(json!);
    expect(body).toMatchObject({ Cluster: "prod", Version: "Amazon ECS Agent - v1.89.3 (fb1fb409)" });
    expect(body.ContainerInstanceArn).toMatch(
      /^arn:aws:ecs:us-east-1:123456789012:container-instance\/prod\/[0-9a-f]{32}$/,
    );
  });

  it("writes JSON logs with ECS_LOG_OUTPUT_FORMAT=json and bracket lines before 1.36", async () => {
    t = await startFleet({
      name: "formats",
      hosts: [
        {
          id: "i-0123456789abcdef0",
          agentVersion: "1.91.0",
          launchedAgo: "1h",
          ecsConfig: { ECS_LOG_OUTPUT_FORMAT: "json" },
        },
        { id: "i-0123456789abcdef1", agentVersion: "1.30.0", launchedAgo: "1h" },
      ],
    });
    const json = await sh(t.fleet, ID, `${wholeLog("ecs-agent.log")} | grep registration`);
    expect(JSON.parse(json)).toMatchObject({
      level: "info",
      msg: "Instance registration completed successfully",
      cluster: "default",
    });
    const old = await sh(t.fleet, "i-0123456789abcdef1", `${wholeLog("ecs-agent.log")} | grep registration`);
    expect(old).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \[INFO\] Instance registration completed successfully/);
  });

  it("rotates hourly before 1.100 and by size from 1.100", async () => {
    t = await startFleet({
      name: "rotation",
      hosts: [
        { id: "i-0123456789abcdef0", agentVersion: "1.89.3", launchedAgo: "2d" },
        {
          id: "i-0123456789abcdef1",
          agentVersion: "1.110.0",
          launchedAgo: "2d",
          ecsConfig: { ECS_LOG_MAX_FILE_SIZE_MB: "0.001" },
        },
      ],
    });
    const hourly = (await sh(t.fleet, ID, `ls ${LOGS}`)).trim().split("\n");
    expect(hourly).toContain("ecs-agent.log");
    expect(hourly.filter((f) => /^ecs-agent\.log\.\d{4}-\d\d-\d\d-\d\d$/.test(f)).length).toBeGreaterThan(3);
    expect(hourly.filter((f) => f.startsWith("ecs-agent.log.")).length).toBeLessThanOrEqual(24);
    const sized = (await sh(t.fleet, "i-0123456789abcdef1", `ls ${LOGS}`)).trim().split("\n");
    expect(sized).toContain("ecs-agent.log.1");
    expect(sized.some((f) => /^ecs-agent\.log\.\d{4}/.test(f))).toBe(false);
  });
});

describe("other failures", () => {
  it("credentials: exit 1, ecs-init retries with back-off, the unit stays active", async () => {
    t = await startFleet(oneHost({ agentVersion: "1.91.1", launchedAgo: "3m", failure: "credentials" }));
    const out = await sh(
      t.fleet,
      ID,
      `${wholeLog("ecs-agent.log")}; ${wholeLog("ecs-init.log")}; systemctl is-active ecs`,
    );
    expect(out).toMatch(/level=critical .*msg="Error getting valid credentials: /);
    expect(out).toMatch(/msg="Agent exited with code 1"/);
    const retries = [...out.matchAll(/msg="ECS Agent failed to start, retrying in ([0-9.]+)(m?s)"/g)];
    expect(retries.length).toBeGreaterThan(3);
    expect(Number(retries[0]![1])).toBeLessThan(1);
    expect(out).not.toMatch(/terminal exit code/);
    expect(out).toMatch(/active\n$/);
  });

  it.each([
    ["hang", /^000 28$/],
    ["refuse", /^000 7$/],
  ])("IMDS %s: no answer, and the agent cannot infer its region", async (mode, curl) => {
    t = await startFleet(oneHost({ agentVersion: "1.91.1", launchedAgo: "2m", imds: mode as "hang" }));
    const out = await sh(
      t.fleet,
      ID,
      `curl -s -o /dev/null -m 1 -w '%{http_code}' -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' "$FLEET_DOCTOR_IMDS_URL/latest/api/token"; echo " $?"`,
    );
    expect(out.trim()).toMatch(curl);
    const log = await sh(t.fleet, ID, `${wholeLog("ecs-agent.log")}`);
    expect(log).toMatch(/Unable to communicate with EC2 Metadata service to infer region: /);
    expect(log).toMatch(/Missing required fields: AWSRegion/);
  });

  it("docker down, registration refused, task engine state", async () => {
    t = await startFleet({
      name: "others",
      hosts: [
        { id: "i-0123456789abcdef0", agentVersion: "1.93.1", launchedAgo: "5m", failure: "docker" },
        { id: "i-0123456789abcdef1", agentVersion: "1.93.1", launchedAgo: "5m", failure: "registration" },
        { id: "i-0123456789abcdef2", agentVersion: "1.93.1", launchedAgo: "5m", failure: "state-mismatch" },
      ],
    });
    expect(
      await sh(
        t.fleet,
        ID,
        `${wholeLog("ecs-agent.log")} | grep -c 'Could not get supported docker versions.'; systemctl is-active docker`,
      ),
    ).toMatch(/^[1-9]\d*\nfailed\n$/);
    const reg = await sh(
      t.fleet,
      "i-0123456789abcdef1",
      `${wholeLog("ecs-agent.log")}; systemctl show ecs --property=ExecMainStatus --value`,
    );
    expect(reg).toMatch(/Unable to register as a container instance with ECS/);
    expect(reg).toMatch(
      /level=critical .*Agent will terminally exit, unable to register container instance: AccessDeniedException/,
    );
    expect(reg).toMatch(/\n5\n$/);
    const st = await sh(t.fleet, "i-0123456789abcdef2", `${wholeLog("ecs-agent.log")}`);
    expect(st).toMatch(/Data mismatch; saved cluster 'legacy' does not match configured cluster 'default'/);
  });
});

describe("files and endpoints", () => {
  it("keeps os-release and ecs.config in the sandbox", async () => {
    t = await startFleet(oneHost({ os: "al2", ecsConfig: "ECS_CLUSTER=a\r\nSECRET=x\r\n" }));
    const out = await sh(
      t.fleet,
      ID,
      'grep ^VERSION_ID= "$FLEET_DOCTOR_ROOT/etc/os-release"; od -c "$FLEET_DOCTOR_ROOT/etc/ecs/ecs.config" | head -1; rpm -q --qf "%{VERSION}\\n" ecs-init',
    );
    expect(out).toMatch(/^VERSION_ID="2"\n0000000\s+E\s+C\s+S\s+_\s+C\s+L\s+U\s+S\s+T\s+E\s+R\s+=\s+a\s+\\r\s+\\n/);
    expect(out).toMatch(/\n1\.89\.3\n$/);
  });

  it("IMDSv2: token required, TTL checked, instance id served", async () => {
    t = await startFleet(oneHost({}));
    const base = `${t.url}/_hosts/${ID}/imds/latest`;
    expect((await fetch(`${base}/meta-data/instance-id`)).status).toBe(401);
    expect((await fetch(`${base}/api/token`, { method: "PUT" })).status).toBe(400);
    expect(
      (
        await fetch(`${base}/api/token`, {
          method: "PUT",
          headers: { "X-aws-ec2-metadata-token-ttl-seconds": "99999" },
        })
      ).status,
    ).toBe(400);
    const token = await (
      await fetch(`${base}/api/token`, { method: "PUT", headers: { "X-aws-ec2-metadata-token-ttl-seconds": "60" } })
    ).text();
    const id = await fetch(`${base}/meta-data/instance-id`, { headers: { "X-aws-ec2-metadata-token": token } });
    expect(await id.text()).toBe(ID);
    expect(
      (await fetch(`${base}/meta-data/instance-id`, { headers: { "X-aws-ec2-metadata-token": "stale" } })).status,
    ).toBe(401);
    expect((await fetch(`${t.url}/_hosts/i-0000000000000000f/imds/latest/meta-data/instance-id`)).status).toBe(404);
    expect(t.fleet.handle({ url: "/other" } as never, {} as never)).toBe(false);
  });

  it("IMDS v1 allowed when the host does not require tokens", async () => {
    t = await startFleet(oneHost({ imds: "optional" }));
    expect(await (await fetch(`${t.url}/_hosts/${ID}/imds/latest/meta-data/instance-id`)).text()).toBe(ID);
  });

  it("systemctl show accepts -p, --property= and --value, and status looks like systemd's", async () => {
    // status goes to a file first: piping it into head would race the shim's later writes into a SIGPIPE (rc=141).
    t = await startFleet(oneHost({ ecsConfig: CHECK_ON }));
    const out = await sh(
      t.fleet,
      ID,
      `systemctl show ecs --property=Result --property ActiveState; systemctl show ecs -p ExecMainStatus --value; systemctl status ecs >status.txt; rc=$?; head -3 status.txt; echo rc=$rc`,
    );
    expect(out).toMatch(
      /^Result=exit-code\nActiveState=failed\n5\n× ecs.service - Amazon Elastic Container Service - container agent\n.*\n {5}Active: failed \(Result: exit-code\) since \w{3} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC; .* ago\nrc=3\n$/,
    );
  });
});
