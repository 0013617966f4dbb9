import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simCalls, startSim } from "@/test/helpers/sim.ts";

/** `fleet-doctor groups` as a user runs it, against the scale-out scenario (web and batch exposed, api safe). */
const bin = path.resolve(import.meta.dirname, "../fleet-doctor.mjs");
const dir = mkdtempSync(path.join(tmpdir(), "fd-cli-groups-"));
let sim: Awaited<ReturnType<typeof startSim>>;

beforeAll(async () => {
  sim = await startSim("scale-out");
});
afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[], input = ""): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [bin, "groups", ...args], {
    env: {
      ...process.env,
      AWS_ENDPOINT_URL: sim.url,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_REGION: "us-east-1",
      FLEET_DOCTOR_DB: path.join(dir, "cli.db"),
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (b: Buffer) => {
    stdout += b.toString();
  });
  child.stderr.on("data", (b: Buffer) => {
    stderr += b.toString();
  });
  child.stdin.end(input);
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

const writes = async () =>
  (await simCalls(sim.url))
    .filter((c) => ["CreateLaunchTemplateVersion", "UpdateAutoScalingGroup", "StartInstanceRefresh"].includes(c.op))
    .map((c) => c.op);

describe("fleet-doctor groups", () => {
  it("prints every group with its exposure and exits 1 when one is exposed", async () => {
    const r = await cli([]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^api\s+safe\s+api-ecs@\$Latest=1\s/m);
    expect(r.stdout).toMatch(/^web\s+exposed\s+web-ecs@1\s+ami-\w+ \/ 1\.89\.3 \(ssm-parameter\)/m);
    const json = JSON.parse((await cli(["--json"])).stdout) as { groups: { group: string; exposure: string }[] };
    expect(json.groups.map((g) => g.exposure)).toEqual(["safe", "exposed", "exposed"]);
  });

  it("fix NAME prints the commands in order and the diff, and writes nothing", async () => {
    const r = await cli(["fix", "web"]);
    expect(r.code).toBe(1);
    const order = [
      "aws ec2 create-launch-template-version",
      "aws autoscaling update-auto-scaling-group",
      "aws autoscaling start-instance-refresh",
    ];
    const at = order.map((c) => r.stdout.indexOf(c));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(r.stdout).toContain("+echo ECS_WARM_POOLS_CHECK=false >> /etc/ecs/ecs.config");
    expect(await writes()).toEqual([]);
  });

  it("refuses bad input with exit 2", async () => {
    expect((await cli(["fix"])).code).toBe(2);
    expect((await cli(["frob"])).code).toBe(2);
    expect((await cli(["--apply"])).code).toBe(2);
    expect((await cli(["fix", "web", "--fleet", "999999999999/us-east-1"])).code).toBe(2);
  });

  it("--apply asks before each write: no at the first question writes nothing", async () => {
    const r = await cli(["fix", "web", "--apply"], "n\n");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("stopped: nothing more was written");
    expect(await writes()).toEqual([]);
  });

  it("--apply: yes, yes, no creates the version and points the group, without a refresh", async () => {
    const r = await cli(["fix", "web", "--apply"], "y\nyes\nn\n");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("created version 2 of lt-");
    expect(r.stdout).toMatch(/web now launches lt-\w+ version 2: safe/);
    expect(await writes()).toEqual(["CreateLaunchTemplateVersion", "UpdateAutoScalingGroup"]);
    const after = JSON.parse((await cli(["--json"])).stdout) as { groups: { group: string; exposure: string }[] };
    expect(after.groups.find((g) => g.group === "web")?.exposure).toBe("safe");
  });
});
