/**
 * The hosts of issue 16, as a script on them sees them (real bash through Fleet.run): each reason an instance does
 * not join its cluster leaves the agent's own lines, unit states, df and package answers; plus the scenario checks
 * that name a field, and the ECS API's agentConnected through the real AWS CLI.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCli } from "../../test/helpers/aws-cli.ts";
import { type Simulator, startSimulator } from "../main.ts";
import { parseScenario } from "./load-scenario.ts";
import { JOIN_FAILURES, sh, startFleet, type TestFleet, wholeLog } from "./test-helpers.ts";

const LOGS = '"$FLEET_DOCTOR_ROOT/var/log/ecs"';
const idOf = (name: string) => JOIN_FAILURES.hosts.find((h) => h.name === name)!.id;

let t: TestFleet;
beforeAll(async () => {
  t = await startFleet(JOIN_FAILURES, { exec: "bash" });
}, 60_000);
afterAll(async () => {
  await t?.close();
});

const run = (name: string, script: string) => sh(t.fleet, idOf(name), script);
/** Every agent log line, rotated files first (oldest first), the current file last. */
const agentLog = (name: string) => run(name, wholeLog("ecs-agent.log"));
const initLog = (name: string) => run(name, wholeLog("ecs-init.log"));

/** dpkg-query's own format placeholder (a shell string, not a template). */
const DPKG_VERSION = ["$", "{Version}"].join("");

describe("a Debian host with the generic deb and an affected agent", () => {
  it("has no rpm, answers dpkg-query, and shows the deb's unit", async () => {
    expect(await run("debian-404", "command -v rpm >/dev/null && echo rpm || echo none")).toBe("none\n");
    expect(await run("debian-404", `dpkg-query -W -f='${DPKG_VERSION}' ecs-init; echo " rc=$?"`)).toBe(
      "1.89.3-1 rc=0\n",
    );
    expect(await run("debian-404", "systemctl show ecs -p FragmentPath,RestartPreventExitStatus")).toBe(
      "FragmentPath=/lib/systemd/system/ecs.service\nRestartPreventExitStatus=\n",
    );
    expect(await run("ubuntu-ok", `dpkg-query -W -f='${DPKG_VERSION}' docker.io nope; echo " rc=$?"`)).toBe(
      "26.1.5+dfsg1-1 rc=1\n",
    );
    expect(await run("debian-404", "grep -o '^ID=.*' $FLEET_DOCTOR_ROOT/etc/os-release")).toBe("ID=debian\n");
  });

  it("is restarted by systemd every 10 s whatever the exit code, writing the 404 line at each start", async () => {
    const log = await agentLog("debian-404");
    const times = [
      ...log.matchAll(/^level=critical time=(\S+) msg="Could not determine target lifecycle of instance/gm),
    ].map((m) => Date.parse(m[1]!));
    expect(times.length).toBeGreaterThan(10);
    // ecs-init's exit 0.3 s after the 404, 10 s of RestartSec, 2 s to the check, 5 s to the next 404: 17.3 s.
    // (Only the last quarter hour of the loop is written down, so only the last ten gaps are checked.)
    for (let i = times.length - 10; i < times.length; i++) {
      const gap = (times[i]! - times[i - 1]!) / 1000;
      expect(gap >= 17 && gap <= 18, `gap ${gap} s`).toBe(true);
    }
    const init = await initLog("debian-404");
    expect(init.match(/agent exited with terminal exit code: 5/g)?.length).toBeGreaterThan(10);
    const show = await run("debian-404", "systemctl show ecs -p ActiveState,NRestarts,ExecMainStatus");
    expect(show).toMatch(/^ActiveState=(activating|active)\nNRestarts=(\d+)\nExecMainStatus=(0|5)\n$/);
    expect(Number(/NRestarts=(\d+)/.exec(show)![1])).toBeGreaterThan(200);
  });
});

describe("docker down", () => {
  it("shows docker failed (or never started) and containerd running, in blocks", async () => {
    const out = await run("docker-failed", "systemctl show docker containerd -p Id,ActiveState,SubState,Result");
    expect(out).toBe(
      "Id=docker.service\nActiveState=failed\nSubState=failed\nResult=exit-code\n\nId=containerd.service\nActiveState=active\nSubState=running\nResult=success\n",
    );
    expect(await run("docker-inactive", "systemctl show docker -p ActiveState,SubState,UnitFileState")).toBe(
      "ActiveState=inactive\nSubState=dead\nUnitFileState=disabled\n",
    );
  });

  it("keeps the ecs unit in auto-restart: ecs-init's pre-start cannot reach Docker, the agent never starts", async () => {
    const show = await run("docker-failed", "systemctl show ecs -p ActiveState,SubState,NRestarts");
    expect(show).toMatch(/^ActiveState=activating\nSubState=(auto-restart|start-pre)\nNRestarts=\d+\n$/);
    const init = await run("docker-failed", `${wholeLog("ecs-init.log")} | tail -n 5`);
    expect(init).toMatch(
      /msg="Error connecting to docker, backing off for [0-9.]+s, error: dial unix \/var\/run\/docker.sock: connect: no such file or directory"/,
    );
    expect(await run("docker-failed", `test -e ${LOGS}/ecs-agent.log && echo present || echo none`)).toBe("none\n");
  });
});

describe("disks", () => {
  it("df -P answers from the host's disks: a full /var/lib/ecs on its own volume, 100%, nothing free", async () => {
    const out = await run("disk-full", 'df -P -k "$FLEET_DOCTOR_ROOT/" "$FLEET_DOCTOR_ROOT/var/lib/ecs"');
    const [, root, ecs] = out.trimEnd().split("\n");
    expect(root).toMatch(/^\/dev\/nvme0n1p1 31441920 \d+ \d+ \d+% \/$/);
    expect(ecs).toBe("/dev/nvme1n1 10475520 10475520 0 100% /var/lib/ecs");
    expect(await run("disk-full", 'df -P -i "$FLEET_DOCTOR_ROOT/var/lib/ecs"')).toMatch(/ 0 100% \/var\/lib\/ecs\n$/);
    expect(await run("disk-full", 'df -P -k "$FLEET_DOCTOR_ROOT/nope"; echo "rc=$?"')).toBe(
      "Filesystem     1024-blocks     Used Available Capacity Mounted on\nrc=1\n",
    );
  });

  it("the agent cannot save its state: no space left on device, exit 5", async () => {
    const log = await agentLog("disk-full");
    expect(log).toMatch(
      /level=critical time=\S+ msg="Unable to initialize new task engine: open \/data\/agent.db: no space left on device" module=agent.go\n$/,
    );
    expect(await run("disk-full", "systemctl show ecs -p ActiveState,ExecMainStatus")).toBe(
      "ActiveState=failed\nExecMainStatus=5\n",
    );
  });
});

describe("a proxy without NO_PROXY", () => {
  it("in ecs.config: the agent's IMDS requests go to the proxy", async () => {
    const cfg = await run("proxy-config", "cat $FLEET_DOCTOR_ROOT/etc/ecs/ecs.config");
    expect(cfg).toMatch(/^HTTP_PROXY=http:\/\/proxy\.corp\.internal:3128$/m);
    expect(cfg).not.toMatch(/NO_PROXY/i);
    expect(await agentLog("proxy-config")).toMatch(/proxyconnect tcp: dial tcp 10\.0\.12\.40:3128: i\/o timeout/);
  });

  it("in the unit's Environment: systemctl shows it", async () => {
    expect(await run("proxy-unit", "systemctl show ecs -p Environment")).toBe(
      "Environment=HTTP_PROXY=http://proxy.corp.internal:3128\n",
    );
    expect(await run("ubuntu-ok", "systemctl show ecs -p Environment")).toBe("Environment=\n");
  });
});

describe("a disabled unit that never ran", () => {
  it("has no agent log, is inactive (dead) and disabled; starting it runs the agent", async () => {
    expect(await run("disabled", `ls ${LOGS} | wc -l`)).toBe("0\n");
    expect(
      await run("disabled", "systemctl show ecs -p UnitFileState,ActiveState,SubState,ExecMainStartTimestamp"),
    ).toBe("UnitFileState=disabled\nActiveState=inactive\nSubState=dead\nExecMainStartTimestamp=\n");
    await run("disabled", "systemctl start ecs");
    expect(await run("disabled", "systemctl show ecs -p ActiveState")).toBe("ActiveState=active\n");
    expect(await initLog("disabled")).toMatch(/msg="Starting Amazon Elastic Container Service Agent"/);
  });
});

describe("startup failures, each with the agent's line and exit", () => {
  it.each([
    [
      "cluster-not-found",
      /msg="Agent will terminally exit, unable to register container instance: ClientException: Cluster not found\." module=agent.go/,
      5,
    ],
    [
      "cluster-not-found-old",
      /msg="Error registering container instance" error="ClientException: Cluster not found\."/,
      1,
    ],
    [
      "docker-api",
      /msg="Error creating Docker client: Error response from daemon: client version 1\.21 is too old\. Minimum supported API version is 1\.24/,
      1,
    ],
    ["clock-skew", /error="InvalidSignatureException: Signature not yet current: \d{8}T\d{6}Z is still later than/, 1],
    [
      "instance-type",
      /msg="The current instance type does not match the registered instance type\. Please revert the instance type change, or alternatively launch a new instance: /,
      5,
    ],
    ["cgroups-old", /msg="Unable to initialize cgroup root for ECS: /, 5],
    ["cloud-init", /msg="Cloud-init failure detected: /, 5],
    ["state-mismatch", /msg="Unable to initialize new task engine: Data mismatch; saved cluster /, 5],
  ] as const)("%s", async (name, line, code) => {
    expect(await agentLog(name)).toMatch(line);
    expect(
      await run(name, `${wholeLog("ecs-init.log")} | grep -o 'Agent exited with code [0-9]*' | tail -n 1`),
    ).toMatch(new RegExp(`Agent exited with code ${code}\\n$`));
  });

  it("a terminal cluster-not-found (1.89.3 and later) says so; an older agent retries", async () => {
    expect(await agentLog("cluster-not-found")).toContain(
      "Received terminal error from RegisterContainerInstance call, exiting",
    );
    expect(await agentLog("cluster-not-found-old")).not.toContain("Received terminal error");
    expect(await run("cluster-not-found-old", "systemctl show ecs -p ActiveState")).toBe("ActiveState=active\n");
  });
});

describe("ACS", () => {
  it("a healthy agent connects right after registering", async () => {
    expect(await agentLog("ubuntu-ok")).toMatch(
      /msg="Instance registration completed successfully".*\n.*msg="Beginning Polling for updates".*\n.*msg="Connected to ACS endpoint" module=session.go\n/,
    );
  });

  it("a lost connection: the idle line, then only failures, while introspection still answers", async () => {
    const acs = (await agentLog("acs-lost"))
      .split("\n")
      .filter((l) => /ACS/.test(l))
      .map((l) => /msg="([^"]*)"/.exec(l)![1]);
    const idle = acs.indexOf("ACS Connection hasn't had any activity for too long; closing connection");
    expect(idle).toBeGreaterThan(acs.lastIndexOf("Connected to ACS endpoint"));
    expect(acs.at(-1)).toBe("Failed to connect to ACS");
    expect(await run("acs-lost", 'curl -s -o /dev/null -w "%{http_code}" "$FLEET_DOCTOR_AGENT_URL/v1/metadata"')).toBe(
      "200",
    );
  });

  it("the trap: old 404 and ACS failure lines in rotated files, then a registration and a connection", async () => {
    const files = (await run("trap-fixed-404", `ls -1tr ${LOGS} | grep ecs-agent`)).trimEnd().split("\n");
    expect(files.length).toBeGreaterThan(2);
    const log = await agentLog("trap-fixed-404");
    const at = (re: RegExp) => log.search(re);
    expect(at(/Amazon ECS agent Version: 1\.89\.3/)).toBeGreaterThanOrEqual(0);
    expect(at(/Could not determine target lifecycle of instance/)).toBeLessThan(
      at(/Instance registration completed successfully/),
    );
    expect(at(/Failed to connect to ACS/)).toBeLessThan(log.lastIndexOf("Connected to ACS endpoint"));
    expect(await run("trap-fixed-404", `grep -l 'Could not determine' ${LOGS}/ecs-agent.log || echo old-only`)).toBe(
      "old-only\n",
    );
    expect(await run("trap-fixed-404", "rpm -q ecs-init; systemctl is-active ecs")).toBe(
      "ecs-init-1.91.1-1.amzn2023.x86_64\nactive\n",
    );
  });
});

describe("scenario checks for these hosts", () => {
  const base = { name: "t", hosts: [{ id: "i-0123456789abcdef0", agentVersion: "1.97.1", launchedAgo: "5h" }] };
  const withHost = (h: Record<string, unknown>) => ({ ...base, hosts: [{ ...base.hosts[0], ...h }] });
  it.each([
    [{ failure: "disk-full" }, "hosts[0].diskFull: a disk-full failure needs the full folder"],
    [{ failure: "docker-api" }, "hosts[0].failure: docker-api needs an agent before 1.81.0"],
    [{ failure: "cloud-init", agentVersion: "1.104.0" }, "hosts[0].failure: cloud-init needs agent 1.105.0 or later"],
    [{ failure: "clock-skew" }, "hosts[0].failure: clock-skew needs an agent on the old SDK"],
    [{ ami: "plain", docker: "failed" }, "hosts[0].docker: a plain AMI has no ECS agent, ecs unit or Docker"],
    [{ ecsUnit: "disabled", failure: "credentials" }, "hosts[0].ecsUnit: a disabled unit never ran"],
    [{ acs: "disconnected", docker: "failed" }, "hosts[0].acs: a disconnected agent is registered and running"],
    [{ fixedTrouble: "lifecycle-404", launchedAgo: "1h" }, "hosts[0].fixedTrouble: a trap host is healthy now"],
    [{ os: "debian", ami: "plain" }, "hosts[0].ami: the plain AMI is Amazon Linux"],
    [{ os: "centos" }, "hosts[0].os:"],
    [{ diskFull: "/tmp" }, "hosts[0].diskFull:"],
    [{ proxy: "env" }, "hosts[0].proxy:"],
  ])("names the field: %#", (h, message) => {
    expect(() => parseScenario(withHost(h), "t.json")).toThrowError(`t.json: ${message}`);
  });
});

describe("the ECS API for these hosts, through the real AWS CLI", () => {
  let sim: Simulator;
  const aws = awsCli(() => sim.url);
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, scenario: parseScenario(JOIN_FAILURES, "join-failures"), exec: "model" });
  }, 60_000);
  afterAll(async () => {
    await sim?.close();
  });

  it("describe-container-instances: agentConnected false for the host that lost ACS, true for the others", async () => {
    const listed = await aws("ecs", "list-container-instances", "--cluster", "default");
    expect(listed.code).toBe(0);
    const arns = listed.out.containerInstanceArns as string[];
    const described = await aws(
      "ecs",
      "describe-container-instances",
      "--cluster",
      "default",
      "--container-instances",
      ...arns,
    );
    expect(described.code).toBe(0);
    const byId = Object.fromEntries(
      (described.out.containerInstances as { ec2InstanceId: string; agentConnected: boolean }[]).map((c) => [
        c.ec2InstanceId,
        c.agentConnected,
      ]),
    );
    expect(byId).toEqual({
      [idOf("ubuntu-ok")]: true,
      [idOf("docker-volume-full")]: true,
      [idOf("acs-lost")]: false,
    });
    const prod = await aws("ecs", "list-container-instances", "--cluster", "prod");
    expect(prod.out.containerInstanceArns).toHaveLength(1);
  });

  it("a cluster only a cluster-not-found host names does not exist", async () => {
    const clusters = await aws("ecs", "list-clusters");
    const names = (clusters.out.clusterArns as string[]).map((a) => a.split("/").at(-1));
    expect(names).toEqual(["default", "prod"]);
    const gone = await aws("ecs", "list-container-instances", "--cluster", "prdo");
    expect(gone.code).not.toBe(0);
    expect(gone.err).toContain("ClusterNotFoundException");
  });
});
