/**
 * Hosts where the probe cannot report (scenario `scripts`: hang, noexec) and hosts that are not ECS instances at all
 * (`ami: plain`), in both exec modes.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ID, oneHost, sh, startFleet, type TestFleet } from "./test-helpers.ts";

const PROBE = path.resolve(import.meta.dirname, "../../lib/probe/probe.sh");

function probe(exec: "bash" | "model"): string[] {
  const lines = readFileSync(PROBE, "utf8").split("\n");
  if (lines.at(-1) === "") lines.pop();
  // The model recognises the probe by its marker line; anything else runs in bash.
  if (exec === "bash") lines[1] = `${lines[1]} (run in bash)`;
  return lines;
}

let t: TestFleet | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const SCRIPT_PATH = new RegExp(
  `/var/lib/amazon/ssm/${ID}/document/orchestration/[0-9a-f-]{36}/awsrunShellScript/0\\.awsrunShellScript/_script\\.sh`,
);

describe.each(["bash", "model"] as const)("exec %s", (exec) => {
  it("noexec: no script runs; sh says Permission denied and exits 126", async () => {
    t = await startFleet(oneHost({ scripts: "noexec" }), { exec });
    for (const commands of [probe(exec), ["echo hi"]]) {
      const r = await t.fleet.run(ID, commands, { executionTimeoutSeconds: 10 });
      expect(r).toMatchObject({ exitCode: 126, stdout: "", timedOut: false });
      expect(r.stderr).toMatch(new RegExp(`^sh: line 1: ${SCRIPT_PATH.source}: Permission denied\\n$`));
    }
  });

  it("noexec on Amazon Linux 2: bash 4.2 does not name the line", async () => {
    t = await startFleet(oneHost({ scripts: "noexec", os: "al2" }), { exec });
    const r = await t.fleet.run(ID, probe(exec), { executionTimeoutSeconds: 10 });
    expect(r.stderr).toMatch(new RegExp(`^sh: ${SCRIPT_PATH.source}: Permission denied\\n$`));
  });

  it("hang: the probe prints nothing and is killed at executionTimeout, or ends when cancelled", async () => {
    t = await startFleet(oneHost({ scripts: "hang", agentVersion: "1.91.1" }), { exec });
    const r = await t.fleet.run(ID, probe(exec), { executionTimeoutSeconds: 1 });
    expect(r).toEqual({ exitCode: -1, stdout: "", stderr: "", timedOut: true });
    const ac = new AbortController();
    const p = t.fleet.run(ID, probe(exec), { executionTimeoutSeconds: 60, signal: ac.signal });
    setTimeout(() => ac.abort(), 300);
    expect(await p).toEqual({ exitCode: -1, stdout: "", stderr: "", timedOut: false });
  });

  it("plain AMI: the probe finds no ecs unit, no ecs-init and no agent logs", async () => {
    t = await startFleet(oneHost({ ami: "plain", group: { name: "web" } }), { exec });
    const r = await t.fleet.run(ID, probe(exec), { executionTimeoutSeconds: 20 });
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.service).toMatchObject({ init: "systemd", load: "not-found", active: "inactive", sub: "dead" });
    expect(report.ecsInit).toBeNull();
    expect(report.agent).toEqual({ code: "refused" });
    expect(report.logs).toEqual({ files: [] });
    expect(report.imds).toMatchObject({ lcCode: 200, lcState: "InService" });
  });
});

describe("hang (bash)", () => {
  it("only reads of the stalled volume block: a script that reads nothing from it runs", async () => {
    t = await startFleet(oneHost({ scripts: "hang" }));
    expect(await sh(t.fleet, ID, "echo hi\nsystemctl is-active ecs", 5)).toBe("hi\nactive\n");
    const r = await t.fleet.run(ID, ['cat "$FLEET_DOCTOR_ROOT/etc/os-release"', "echo never"], {
      executionTimeoutSeconds: 1,
    });
    expect(r).toEqual({ exitCode: -1, stdout: "", stderr: "", timedOut: true });
  });
});

describe("plain AMI (bash)", () => {
  it("has no ecs or docker unit, no ecs-init or docker package, and nothing ever starts an agent", async () => {
    t = await startFleet(oneHost({ ami: "plain" }));
    const r = await t.fleet.run(
      ID,
      [
        "systemctl show ecs --property=LoadState,ActiveState,SubState,Result,ExecMainStatus,ExecMainStartTimestamp",
        "systemctl restart ecs; echo restart=$?",
        "systemctl status docker; echo status=$?",
        "rpm -q ecs-init docker amazon-ssm-agent; echo rpm=$?",
        'ls "$FLEET_DOCTOR_ROOT/var/log/ecs" 2>/dev/null; echo ls=$?',
      ],
      { executionTimeoutSeconds: 10 },
    );
    expect(r.stdout).toBe(
      [
        "LoadState=not-found",
        "ActiveState=inactive",
        "SubState=dead",
        "Result=success",
        "ExecMainStatus=0",
        "ExecMainStartTimestamp=",
        "restart=5",
        "status=4",
        "package ecs-init is not installed",
        "package docker is not installed",
        "amazon-ssm-agent-3.3.1611.0-1.x86_64",
        "rpm=1",
        "ls=2",
        "",
      ].join("\n"),
    );
    expect(r.stderr).toBe(
      "Failed to restart ecs.service: Unit ecs.service not found.\nUnit docker.service could not be found.\n",
    );
    expect(existsSync(path.join(t.root, ID, "var/log/ecs"))).toBe(false);
    expect(t.fleet.describe(ID)).toMatchObject({ service: { activeState: "inactive" } });
  });
});

describe("ecs stopped by an operator (bash)", () => {
  it("is inactive, dead, Result=success, with a clean stop in the logs and nothing registered", async () => {
    t = await startFleet(oneHost({ agentVersion: "1.97.1", ecsStoppedAgo: "10m" }));
    const out = await sh(
      t.fleet,
      ID,
      [
        "systemctl show ecs -p ActiveState,SubState,Result,ExecMainStatus",
        'tail -n 1 "$FLEET_DOCTOR_ROOT/var/log/ecs/ecs-agent.log"',
        'tail -n 1 "$FLEET_DOCTOR_ROOT/var/log/ecs/ecs-init.log"',
      ].join("\n"),
    );
    const [active, sub, result, status, agentLine, initLine] = out.trimEnd().split("\n");
    expect([active, sub, result, status]).toEqual([
      "ActiveState=inactive",
      "SubState=dead",
      "Result=success",
      "ExecMainStatus=0",
    ]);
    expect(agentLine).toMatch(/Agent received termination signal: terminated/);
    expect(initLine).toMatch(/stop/);
    expect(t.fleet.describe(ID)).toMatchObject({ agent: { phase: "stopped" } });
  });
});
