/**
 * The simulator as a program over the real fleet: started by the CLI (`fleet-doctor sim`), checked with the real
 * AWS CLI and the SDK the way the acceptance checks do, and stopped with SIGTERM.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import {
  AutoScalingClient,
  DescribeAutoScalingInstancesCommand,
  type DescribeAutoScalingInstancesCommandOutput,
} from "@aws-sdk/client-auto-scaling";
import {
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  SendCommandCommand,
  SSMClient,
} from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCli } from "../test/helpers/aws-cli.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const BIN = path.join(ROOT, "bin", "fleet-doctor.mjs");
const credentials = { accessKeyId: "test", secretAccessKey: "test" };

type Running = { url: string; child: ChildProcess; exited: Promise<number | null> };

/** Spawns `fleet-doctor sim` and resolves on its `listening on` line. */
function startCli(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [BIN, "sim", "--port", "0", ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let out = "";
    const onData = (c: Buffer) => {
      out += c.toString();
      const m = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out);
      if (m) resolve({ url: m[1]!, child, exited });
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
    exited.then((code) => reject(new Error(`sim exited (${code}) before it was ready:\n${out}`)));
  });
}

type HostState = {
  instanceId: string;
  stopped: boolean;
  ssm: { pingStatus: string };
  membership?: { group: string; lifecycleState: string };
};

describe("fleet-doctor sim --scenario demo, checked with the AWS CLI", () => {
  let sim: Running;
  let hosts: HostState[];
  const aws = awsCli(() => sim.url);

  beforeAll(async () => {
    sim = await startCli(["--scenario", "demo"]);
    hosts = ((await (await fetch(`${sim.url}/_sim/hosts`)).json()) as { hosts: HostState[] }).hosts;
  });
  afterAll(async () => {
    if (sim && sim.child.exitCode === null) {
      sim.child.kill("SIGKILL");
      await sim.exited;
    }
  });

  it("describe-instance-information lists the demo hosts with their ping status", async () => {
    const r = await aws("ssm", "describe-instance-information");
    expect(r.code).toBe(0);
    const list = r.out.InstanceInformationList as { InstanceId: string; PingStatus: string }[];
    const expected = hosts.filter((h) => !h.stopped);
    expect(list.map((i) => i.InstanceId).sort()).toEqual(expected.map((h) => h.instanceId).sort());
    for (const i of list) expect(i.PingStatus).toBe(hosts.find((h) => h.instanceId === i.InstanceId)!.ssm.pingStatus);
    expect(list.some((i) => i.PingStatus === "ConnectionLost")).toBe(true);
  });

  it("send-command `echo hi` + `exit 3` ends Failed with ResponseCode 3 and output hi; 51 ids are refused", async () => {
    const target = hosts.find((h) => !h.stopped && h.ssm.pingStatus === "Online")!.instanceId;
    const sent = await aws(
      "ssm",
      "send-command",
      "--document-name",
      "AWS-RunShellScript",
      "--instance-ids",
      target,
      "--parameters",
      'commands=["echo hi","exit 3"]',
    );
    expect(sent.code).toBe(0);
    const commandId = (sent.out.Command as { CommandId: string }).CommandId;
    // Wait through the SDK (fast); then read the result with the CLI.
    const ssm = new SSMClient({ endpoint: sim.url, region: "us-east-1", credentials });
    try {
      for (let i = 0; i < 400; i++) {
        const done = await ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: target })).then(
          (o) => ["Success", "Failed", "TimedOut", "Cancelled"].includes(o.Status ?? ""),
          (e: Error) => (e.name === "InvocationDoesNotExist" ? false : Promise.reject(e)),
        );
        if (done) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      ssm.destroy();
    }
    const inv = (await aws("ssm", "get-command-invocation", "--command-id", commandId, "--instance-id", target)).out;
    expect(inv).toMatchObject({ Status: "Failed", ResponseCode: 3, StandardOutputContent: "hi\n" });

    const many = Array.from({ length: 51 }, (_, i) => `i-0${String(i).padStart(16, "0")}`);
    const refused = await aws(
      "ssm",
      "send-command",
      "--document-name",
      "AWS-RunShellScript",
      "--instance-ids",
      ...many,
      "--parameters",
      'commands=["true"]',
    );
    expect(refused.code).not.toBe(0);
    expect(refused.err).toContain(
      "An error occurred (ValidationException) when calling the SendCommand operation: 1 validation error detected",
    );
  });

  it("describe-auto-scaling-instances shows members with lifecycle states and leaves standalone hosts out", async () => {
    const members = hosts.filter((h) => h.membership);
    const standalone = hosts.filter((h) => !h.membership);
    expect(members.length).toBeGreaterThan(0);
    expect(standalone.length).toBeGreaterThan(0);
    const ids = [...members.slice(0, 25), ...standalone.slice(0, 25)].map((h) => h.instanceId);
    const r = await aws("autoscaling", "describe-auto-scaling-instances", "--instance-ids", ...ids);
    expect(r.code).toBe(0);
    const got = r.out.AutoScalingInstances as {
      InstanceId: string;
      AutoScalingGroupName: string;
      LifecycleState: string;
    }[];
    expect(got.map((i) => i.InstanceId).sort()).toEqual(
      members
        .slice(0, 25)
        .map((h) => h.instanceId)
        .sort(),
    );
    for (const i of got) {
      const h = members.find((m) => m.instanceId === i.InstanceId)!;
      expect([i.AutoScalingGroupName, i.LifecycleState]).toEqual([h.membership!.group, h.membership!.lifecycleState]);
    }
  });

  it("`systemctl restart ecs` over SSM: up when the group now publishes InService, fails again when standalone", {
    timeout: 60_000,
  }, async () => {
    type Full = HostState & {
      expect?: string;
      sandbox: string;
      service: { activeState: string };
      agent: { containerInstanceArn?: string };
    };
    const all = ((await (await fetch(`${sim.url}/_sim/hosts`)).json()) as { hosts: Full[] }).hosts;
    const ready = all.find((h) => h.expect === "lifecycle-404:ready" && h.ssm.pingStatus === "Online")!;
    const blocked = all.find((h) => h.expect === "lifecycle-404:blocked" && h.ssm.pingStatus === "Online")!;
    // Critical lines across the agent log and its rotated files (a new agent start may roll the log over).
    const criticals = (h: Full) => {
      const dir = path.join(h.sandbox, "var", "log", "ecs");
      if (!existsSync(dir)) return 0;
      return readdirSync(dir)
        .filter((f) => f.startsWith("ecs-agent.log"))
        .flatMap((f) => readFileSync(path.join(dir, f), "utf8").split("\n"))
        .filter((l) => l.includes("level=critical")).length;
    };
    const before = criticals(blocked);
    expect(ready.service.activeState).toBe("failed");

    const ssm = new SSMClient({ endpoint: sim.url, region: "us-east-1", credentials });
    try {
      const out = await ssm.send(
        new SendCommandCommand({
          DocumentName: "AWS-RunShellScript",
          InstanceIds: [ready.instanceId, blocked.instanceId],
          Parameters: { commands: ["systemctl restart ecs"] },
        }),
      );
      expect(out.Command!.TargetCount).toBe(2);
    } finally {
      ssm.destroy();
    }
    // Wait on the hosts' state through the control API (the agent needs a few seconds either way).
    const state = async (h: Full) => (await (await fetch(`${sim.url}/_sim/hosts/${h.instanceId}`)).json()) as Full;
    let up: Full = ready;
    let down: Full = blocked;
    for (let i = 0; i < 400; i++) {
      [up, down] = await Promise.all([state(ready), state(blocked)]);
      if (up.agent.containerInstanceArn && criticals(down) > before && down.service.activeState === "failed") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(up.service.activeState).toBe("active");
    expect(up.agent.containerInstanceArn).toMatch(/^arn:aws:ecs:/);
    expect(criticals(down)).toBe(before + 1);
    expect(down.service.activeState).toBe("failed");
  });

  it("stops cleanly on SIGTERM and removes its sandbox", async () => {
    const sandbox = (
      (await (await fetch(`${sim.url}/_sim/hosts/${hosts[0]!.instanceId}`)).json()) as { sandbox?: string }
    ).sandbox;
    sim.child.kill("SIGTERM");
    expect(await sim.exited).toBe(0);
    if (sandbox) expect(existsSync(sandbox)).toBe(false);
  });
});

describe("fleet-doctor sim --hosts N --exec model", () => {
  it("serves a generated fleet of the requested size, paged through by the SDK", async () => {
    const sim = await startCli(["--hosts", "300", "--exec", "model", "--throttle", "DescribeInstanceInformation=1000"]);
    const ssm = new SSMClient({ endpoint: sim.url, region: "us-east-1", credentials });
    const asg = new AutoScalingClient({ endpoint: sim.url, region: "us-east-1", credentials });
    try {
      const all = ((await (await fetch(`${sim.url}/_sim/hosts`)).json()) as { hosts: HostState[] }).hosts;
      expect(all).toHaveLength(300);
      let count = 0;
      let token: string | undefined;
      do {
        const page = await ssm.send(new DescribeInstanceInformationCommand({ MaxResults: 50, NextToken: token }));
        count += page.InstanceInformationList!.length;
        token = page.NextToken;
      } while (token);
      expect(count).toBe(all.filter((h) => !h.stopped).length);
      let members = 0;
      token = undefined;
      do {
        const page: DescribeAutoScalingInstancesCommandOutput = await asg.send(
          new DescribeAutoScalingInstancesCommand({ MaxRecords: 50, NextToken: token }),
        );
        members += page.AutoScalingInstances!.length;
        token = page.NextToken;
      } while (token);
      expect(members).toBe(all.filter((h) => h.membership).length);
      const faults = (await (await fetch(`${sim.url}/_sim/faults`)).json()) as { throttle?: Record<string, number> };
      expect(faults.throttle).toEqual({ DescribeInstanceInformation: 1000 });
    } finally {
      ssm.destroy();
      asg.destroy();
      sim.child.kill("SIGTERM");
      expect(await sim.exited).toBe(0);
    }
  });

  it("refuses bad flags with exit code 2", async () => {
    const run = promisify(execFile);
    for (const args of [
      ["--exec", "docker"],
      ["--throttle", "SendCommand"],
      ["--error-rate", "3"],
      ["--port", "x"],
      ["--bogus"],
    ]) {
      const r = await run(process.execPath, [BIN, "sim", ...args]).then(
        () => ({ code: 0, stderr: "" }),
        (e: { code: number; stderr: string }) => e,
      );
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toContain("fleet-doctor sim:");
    }
  });
});
