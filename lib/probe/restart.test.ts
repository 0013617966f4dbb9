/**
 * restart.sh run with real bash in a sandbox: a fake `systemctl` (or `initctl`) that plays an ECS agent from a
 * behaviour file, introspection served as a file:// URL the fake writes when the agent "registers".
 */
import { execFile } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseRestartOutput, type RestartReport } from "./restart-report.ts";
import { restartCommands } from "./restart-script.ts";

const LIFECYCLE_LINE =
  'level=critical time=2025-02-04T07:02:21Z msg="Could not determine target lifecycle of instance: operation error ec2imds: GetMetadata, http response error StatusCode: 404, request to EC2 IMDS failed" module=agent.go';

// The fake agent: `restart` acts out $ROOT/behaviour; `show` prints the state kept in $ROOT/state.
const FAKE_AGENT =
  String.raw`
ROOT="$FLEET_DOCTOR_ROOT"
state() { printf 'ActiveState=%s\nSubState=%s\nResult=%s\nExecMainStatus=%s\n' $(cat "$ROOT/state"); }
restart() {
  echo restart >>"$ROOT/calls"
  b=$(cat "$ROOT/behaviour")
  if [ "$b" = by-config ]; then
    v=$(awk '{ t=$0; sub(/^[ \t]+/, "", t); if (index(t, "ECS_WARM_POOLS_CHECK=") == 1) v = substr(t, 22) } END { print v }' "$ROOT/etc/ecs/ecs.config")
    if [ "$v" = true ]; then b=fails-lifecycle; else b=registers; fi
  fi
  echo 'level=info time=2025-02-04T08:00:00Z msg="Amazon ECS agent Version: 1.89.3, Commit: fb1fb409" module=agent.go' >>"$ROOT/var/log/ecs/ecs-agent.log"
  case "$b" in
    registers)
      echo "active running success 0" >"$ROOT/state"
      echo '{"Cluster":"prod","ContainerInstanceArn":"arn:aws:ecs:us-east-1:123456789012:container-instance/prod/abc","Version":"Amazon ECS Agent - v1.89.3 (fb1fb409)"}' >"$ROOT/agent/v1/metadata" ;;
    fails-lifecycle)
      echo 'level=info time=2025-02-04T08:00:01Z msg="Waiting for instance to go InService" module=agent.go' >>"$ROOT/var/log/ecs/ecs-agent.log"
      echo '` +
  LIFECYCLE_LINE.replace("07:02:21", "08:00:06") +
  String.raw`' >>"$ROOT/var/log/ecs/ecs-agent.log"
      echo "failed failed exit-code 5" >"$ROOT/state" ;;
    fails-silently) echo "failed failed exit-code 1" >"$ROOT/state" ;;
    waits)
      echo "active running success 0" >"$ROOT/state"
      echo 'level=info time=2025-02-04T08:00:01Z msg="Waiting for instance to go InService" module=agent.go' >>"$ROOT/var/log/ecs/ecs-agent.log" ;;
  esac
}
`;

const SYSTEMCTL = `#!/bin/bash
${FAKE_AGENT}
case "$1" in
  show) state ;;
  restart) restart ;;
  *) exit 1 ;;
esac
`;

const INITCTL = `#!/bin/bash
${FAKE_AGENT}
case "$1" in
  status) set -- $(cat "$ROOT/state"); if [ "$1" = active ]; then echo "ecs start/running, process 4242"; else echo "ecs stop/waiting"; fi ;;
  stop) echo stop >>"$ROOT/calls" ;;
  start) restart ;;
esac
`;

const TOOLS =
  "bash sh awk sed grep tr wc tail head date ls cat cp mktemp mkdir rm dirname curl sleep timeout env".split(" ");

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

type Sandbox = { root: string; bin: string };

function sandbox(opts: { behaviour: string; init?: "systemd" | "upstart"; config?: string; log?: string[] }): Sandbox {
  const root = mkdtempSync(path.join(tmpdir(), "fd-restart-"));
  dirs.push(root);
  for (const d of ["etc/ecs", "var/log/ecs", "agent/v1", "bin"]) mkdirSync(path.join(root, d), { recursive: true });
  writeFileSync(path.join(root, "behaviour"), opts.behaviour);
  writeFileSync(path.join(root, "state"), "failed failed exit-code 5\n");
  writeFileSync(
    path.join(root, "var/log/ecs/ecs-agent.log"),
    (opts.log ?? [LIFECYCLE_LINE]).map((l) => `${l}\n`).join(""),
  );
  if (opts.config !== undefined) writeFileSync(path.join(root, "etc/ecs/ecs.config"), opts.config);
  const bin = path.join(root, "bin");
  // Only the tools the script may use, so the host's own systemctl is not found under the upstart test.
  for (const tool of TOOLS) {
    const found = ["/usr/bin", "/bin"].map((d) => path.join(d, tool)).find((p) => existsSync(p));
    if (found) symlinkSync(found, path.join(bin, tool));
  }
  const fake = path.join(bin, opts.init === "upstart" ? "initctl" : "systemctl");
  writeFileSync(fake, opts.init === "upstart" ? INITCTL : SYSTEMCTL);
  chmodSync(fake, 0o755);
  return { root, bin };
}

function run(
  box: Sandbox,
  kind: "restart" | "disable-check-and-restart",
  waitSeconds = 10,
): Promise<{ report: RestartReport; stdout: string }> {
  const script = path.join(box.root, "script.sh");
  writeFileSync(script, `${restartCommands(kind, { waitSeconds }).join("\n")}\n`);
  return new Promise((resolve, reject) => {
    execFile(
      path.join(box.bin, "bash"),
      [script],
      {
        env: {
          NODE_ENV: "test",
          PATH: box.bin,
          FLEET_DOCTOR_ROOT: box.root,
          FLEET_DOCTOR_AGENT_URL: `file://${box.root}/agent`,
        },
        timeout: 30_000,
      },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`${error.message}\n${stderr}`));
        expect(stdout.trim().split("\n")).toHaveLength(1);
        const parsed = parseRestartOutput(stdout + (stderr ? `\n----------ERROR-------\n${stderr}` : ""));
        if (!parsed.ok) return reject(new Error(`${parsed.error}\n${stdout}\n${stderr}`));
        resolve({ report: parsed.report, stdout });
      },
    );
  });
}

const calls = (box: Sandbox) => readFileSync(path.join(box.root, "calls"), "utf8").trim().split("\n");

describe("restart.sh (systemd)", () => {
  it("restarts once and reports the registration, ignoring the old critical line", async () => {
    const box = sandbox({ behaviour: "registers" });
    const { report } = await run(box, "restart");
    expect(calls(box)).toEqual(["restart"]);
    expect(report).toMatchObject({
      mode: "restart",
      init: "systemd",
      outcome: "registered",
      registered: true,
      containerInstanceArn: "arn:aws:ecs:us-east-1:123456789012:container-instance/prod/abc",
      failureLine: null,
      before: { active: "failed", result: "exit-code", status: "5" },
      after: { active: "active", sub: "running" },
      restartExit: 0,
      config: null,
    });
  });

  it("reports the NEW lifecycle line when the agent fails again", async () => {
    const box = sandbox({ behaviour: "fails-lifecycle" });
    const { report } = await run(box, "restart");
    expect(report.outcome).toBe("failed-again");
    expect(report.registered).toBe(false);
    expect(report.failureLine).toContain("08:00:06Z");
    expect(report.failureLine).toContain("StatusCode: 404");
    expect(report.after.active).toBe("failed");
  });

  it("reports a failed service even without a log line", async () => {
    const box = sandbox({ behaviour: "fails-silently" });
    const { report } = await run(box, "restart");
    expect(report).toMatchObject({ outcome: "failed-again", failureLine: null, after: { active: "failed" } });
  });

  it("gives up after the wait, saying the agent is waiting for InService", async () => {
    const box = sandbox({ behaviour: "waits" });
    const { report } = await run(box, "restart", 10);
    expect(report).toMatchObject({ outcome: "timeout", waiting: true, registered: false, waitLimit: 10 });
    expect(report.seconds).toBeGreaterThanOrEqual(10);
  });

  it("escapes log text into valid JSON", async () => {
    const box = sandbox({ behaviour: "fails-silently", log: [] });
    writeFileSync(path.join(box.root, "behaviour"), "fails-silently");
    // The fake writes its start line; append a nasty error line after the restart through the state file hook.
    const sys = path.join(box.bin, "systemctl");
    writeFileSync(
      sys,
      readFileSync(sys, "utf8").replace(
        "restart) restart ;;",
        `restart) restart; printf '%s\\n' 'level=error msg="quote \\" back\\\\slash \ttab \x01ctl" module=x.go' >>"$ROOT/var/log/ecs/ecs-agent.log" ;;`,
      ),
    );
    const { report } = await run(box, "restart");
    expect(report.failureLine).toContain('quote \\" back');
    expect(report.failureLine).toContain("\ttab");
    expect(report.failureLine).not.toContain("\x01");
  });
});

describe("restart.sh (upstart)", () => {
  it("stops and starts ecs, then reports the registration", async () => {
    const box = sandbox({ behaviour: "registers", init: "upstart" });
    const { report } = await run(box, "restart");
    expect(calls(box)).toEqual(["stop", "restart"]);
    expect(report).toMatchObject({ init: "upstart", outcome: "registered", before: { active: "stop/waiting" } });
    expect(report.after.active).toBe("start/running");
  });
});

describe("restart.sh in mode disable-check-and-restart", () => {
  const backups = (box: Sandbox) =>
    readdirSync(path.join(box.root, "etc/ecs")).filter((f) => f.startsWith("ecs.config.bak."));

  it("replaces every ECS_WARM_POOLS_CHECK line, keeps a dated backup, restarts and the agent registers", async () => {
    const original =
      'ECS_CLUSTER=prod\r\nECS_WARM_POOLS_CHECK=true\r\nECS_ENGINE_AUTH_DATA={"secret":1}\n  ECS_WARM_POOLS_CHECK=true\nECS_LOGLEVEL=info';
    const box = sandbox({ behaviour: "by-config", config: original });
    const { report } = await run(box, "disable-check-and-restart");
    const config = readFileSync(path.join(box.root, "etc/ecs/ecs.config"), "utf8");
    expect(config).toBe(
      'ECS_CLUSTER=prod\r\nECS_WARM_POOLS_CHECK=false\nECS_ENGINE_AUTH_DATA={"secret":1}\nECS_WARM_POOLS_CHECK=false\nECS_LOGLEVEL=info\n',
    );
    const [backup] = backups(box);
    expect(backup).toMatch(/^ecs\.config\.bak\.\d{8}T\d{6}Z$/);
    expect(readFileSync(path.join(box.root, "etc/ecs", backup!), "utf8")).toBe(original);
    expect(report).toMatchObject({
      mode: "disable-check-and-restart",
      outcome: "registered",
      config: {
        file: "/etc/ecs/ecs.config",
        previous: "true",
        value: "false",
        changed: true,
        backup: `/etc/ecs/${backup}`,
      },
    });
    // The JSON carries no other config value (secrets stay on the instance).
    expect(JSON.stringify(report)).not.toContain("secret");
  });

  it("appends the key when it is absent, after a last line without newline", async () => {
    const box = sandbox({ behaviour: "by-config", config: "ECS_CLUSTER=prod" });
    const { report } = await run(box, "disable-check-and-restart");
    expect(readFileSync(path.join(box.root, "etc/ecs/ecs.config"), "utf8")).toBe(
      "ECS_CLUSTER=prod\nECS_WARM_POOLS_CHECK=false\n",
    );
    expect(report.config).toMatchObject({ previous: null, value: "false" });
    expect(report.outcome).toBe("registered");
  });

  it("creates the file when there is none (no backup)", async () => {
    const box = sandbox({ behaviour: "by-config" });
    writeFileSync(path.join(box.root, "etc/ecs/ecs.config"), "");
    rmSync(path.join(box.root, "etc/ecs/ecs.config"));
    const { report } = await run(box, "disable-check-and-restart");
    expect(readFileSync(path.join(box.root, "etc/ecs/ecs.config"), "utf8")).toBe("ECS_WARM_POOLS_CHECK=false\n");
    expect(report.config).toMatchObject({ backup: null, value: "false" });
    expect(backups(box)).toEqual([]);
  });

  it("the plain restart on the same host fails again (the check is still on)", async () => {
    const box = sandbox({ behaviour: "by-config", config: "ECS_WARM_POOLS_CHECK=true\n" });
    const { report } = await run(box, "restart");
    expect(report.outcome).toBe("failed-again");
    expect(readFileSync(path.join(box.root, "etc/ecs/ecs.config"), "utf8")).toBe("ECS_WARM_POOLS_CHECK=true\n");
  });
});

describe("restartCommands", () => {
  it("changes only the mode and wait lines", () => {
    const a = restartCommands("restart", { waitSeconds: 90 });
    const b = restartCommands("disable-check-and-restart", { waitSeconds: 30 });
    expect(a[1]).toBe("# fleet-doctor-restart schema=1 mode=restart");
    expect(b.slice(1, 4)).toEqual([
      "# fleet-doctor-restart schema=1 mode=disable-check-and-restart",
      "FD_MODE=disable-check-and-restart",
      "FD_WAIT=30",
    ]);
    expect(a.length).toBe(b.length);
    expect(a.filter((l, i) => l !== b[i])).toHaveLength(3);
  });
  it("refuses a wait that is not an integer in range, or an unknown kind", () => {
    expect(() => restartCommands("restart", { waitSeconds: 9 })).toThrow();
    expect(() => restartCommands("restart", { waitSeconds: 1.5 })).toThrow();
    expect(() => restartCommands("rm -rf /" as "restart", { waitSeconds: 90 })).toThrow();
  });
});
