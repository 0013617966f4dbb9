import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import {
  type AgentSpec,
  FAILED_SERVICE,
  type ImdsSpec,
  LINES,
  makeSandbox,
  PROBE_PATH,
  REFUSED_URL,
  RUNNING_SERVICE,
  runProbe,
  type SandboxSpec,
  startAgent,
  startImds,
  type TestServer,
} from "../../test/helpers/probe-sandbox.ts";

/** The generic deb package's unit: no RestartPreventExitStatus, so systemd restarts whatever the exit code. */
const DEB_UNIT = {
  UnitFileState: "enabled",
  FragmentPath: "/lib/systemd/system/ecs.service",
  RestartPreventExitStatus: "",
};
const UNIT_RUNNING = { LoadState: "loaded", ActiveState: "active", SubState: "running", Result: "success" };
const DOCKER_FAILED = { LoadState: "loaded", ActiveState: "failed", SubState: "failed", Result: "exit-code" };
/** / has room; /var/lib/docker is its own volume, full to the last block, on a filesystem without inode counts. */
const FULL_DISKS: SandboxSpec["df"] = {
  "/": { mount: "/", kb: [31441920, 5227520, 26214400], inodes: [15728640, 262144, 15466496] },
  "/var/lib/docker": { mount: "/var/lib/docker", kb: [10475520, 10475520, 0], inodes: null },
  "/var/lib/ecs": { mount: "/", kb: [31441920, 5227520, 26214400], inodes: [15728640, 262144, 15466496] },
};

import { diagnose } from "../diagnosis/diagnose.ts";
import { parseProbeOutput } from "./report.ts";
import { MAX_REPORT_BYTES, PROBE_MARKER, type ProbeReport } from "./report-schema.ts";
import { probeCommands } from "./scripts.ts";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const AFFECTED_404 = [LINES.start, LINES.waiting, LINES.healthNoise, LINES.lifecycle404].join("\n") + "\n";
const INIT_LOG = `${LINES.initExit}\n${LINES.initTerminal}\n`;

/** The probe must work with mawk (Debian) and gawk (Amazon Linux): PROBE_AWK=/usr/bin/gawk runs it with gawk. */
const AWK = process.env.PROBE_AWK;

const hostileUnit = (q: string) => ({ LoadState: q, ActiveState: q, SubState: q, Result: q });

const failedHost = (over: Partial<SandboxSpec> = {}): SandboxSpec => ({
  ...(AWK ? { awk: AWK } : {}),
  etcConfig:
    'ECS_CLUSTER=prod\nECS_WARM_POOLS_CHECK=true\nECS_ENGINE_AUTH_DATA={"https://index.docker.io/v1/":{"auth":"c2VjcmV0"}}\n',
  logs: { "ecs-agent.log": AFFECTED_404, "ecs-init.log": INIT_LOG },
  osRelease: 'NAME="Amazon Linux"\nVERSION="2023"\nID="amzn"\nVERSION_ID="2023"\n',
  systemctl: FAILED_SERVICE,
  rpm: "ecs-init-1.89.3-1.amzn2023.x86_64",
  btime: 1738652500,
  ...over,
});

/** Runs the real probe against a sandbox and servers; checks the invariants every output must keep. */
async function probe(spec: SandboxSpec, imdsSpec: ImdsSpec | "refused", agentSpec: AgentSpec | "refused" = "refused") {
  const sb = makeSandbox(spec);
  cleanups.push(sb.cleanup);
  let imds: TestServer | undefined;
  let agent: TestServer | undefined;
  if (imdsSpec !== "refused") {
    imds = await startImds(imdsSpec);
    cleanups.push(imds.close);
  }
  if (agentSpec !== "refused") {
    agent = await startAgent(agentSpec);
    cleanups.push(agent.close);
  }
  const run = await runProbe(sb, { imds: imds?.url ?? REFUSED_URL, agent: agent?.url ?? REFUSED_URL });
  expect(run.code).toBe(0);
  expect(run.stderr).toBe("");
  const line = run.stdout.trimEnd();
  expect(line.split("\n")).toHaveLength(1);
  expect(Buffer.byteLength(line)).toBeLessThan(MAX_REPORT_BYTES);
  expect(() => JSON.parse(line)).not.toThrow();
  const parsed = parseProbeOutput(run.stdout);
  if (!parsed.ok) throw new Error(`${parsed.error}\n${run.stdout}`);
  const report: ProbeReport = parsed.report;
  const diagnosis = diagnose({ probe: { ok: true, report }, ssm: {} });
  return { run, line, report, diagnosis, imds, agent, sb };
}

describe("probe.sh", () => {
  it("is shipped with the schema marker on line 2 and split into commands", () => {
    const text = readFileSync(PROBE_PATH, "utf8");
    expect(text.split("\n")[1]).toBe(PROBE_MARKER);
    expect(probeCommands()[1]).toBe(PROBE_MARKER);
    expect(probeCommands().join("\n")).toBe(text.replace(/\n$/, ""));
    // Only the allowed tools: no jq, python, perl.
    expect(text).not.toMatch(/\b(jq|python3?|perl)\b/);
  });

  it("404 now: the failed 1.89.3 host is lifecycle-404:blocked, with the facts in the report", async () => {
    const { report, diagnosis, imds } = await probe(failedHost(), { lifecycle: 404 });
    expect(report.imds).toEqual({ token: "ok", idCode: 200, lcCode: 404, lcState: null });
    expect(report.instanceId).toBe("i-0abc123def4567890");
    expect(report.config.keys).toEqual({ ECS_CLUSTER: ["prod", 0, 1], ECS_WARM_POOLS_CHECK: ["true", 0, 2] });
    expect(report.config.other).toBe(1);
    expect(JSON.stringify(report)).not.toContain("c2VjcmV0");
    expect(report.service).toMatchObject({
      init: "systemd",
      active: "failed",
      status: 5,
      restarts: 0,
      result: "exit-code",
    });
    expect(report.ecsInit).toBe("ecs-init-1.89.3-1.amzn2023.x86_64");
    expect(report.agent).toEqual({ code: "refused" });
    expect(report.logs.lifecycle).toMatchObject({
      file: "ecs-agent.log",
      n: 4,
      code: 404,
      count: 1,
      t: "2025-02-04T07:02:21Z",
    });
    expect(report.logs.lifecycle?.text).toBe(LINES.lifecycle404);
    expect(report.logs.waiting).toMatchObject({ n: 2, t: "2025-02-04T07:02:16Z" });
    expect(report.logs.started).toMatchObject({ n: 1, version: "1.89.3" });
    expect(report.logs.error).toBeUndefined(); // the health-check noise is skipped
    expect(report.logs.init).toMatchObject({ file: "ecs-init.log", n: 2, code: 5 });
    expect(report.os).toEqual({ id: "amzn", version: "2023", boot: "2025-02-04T07:01:40Z" });
    // IMDSv2: the token was asked for with a TTL and used.
    expect(imds!.requests[0]).toBe("PUT /latest/api/token");
    expect(diagnosis.verdict).toBe("lifecycle-404:blocked");
    expect(diagnosis.restartWillWork).toBe(false);
  });

  it("InService now: lifecycle-404:ready, restart will work", async () => {
    const { report, diagnosis } = await probe(failedHost(), { lifecycle: "InService", requireToken: true });
    expect(report.imds).toMatchObject({ token: "ok", lcCode: 200, lcState: "InService" });
    expect(diagnosis.verdict).toBe("lifecycle-404:ready");
    expect(diagnosis.restartWillWork).toBe(true);
    expect(diagnosis.remedies[0]).toMatchObject({ id: "restart", command: "sudo systemctl restart ecs" });
  });

  it("Warmed:Stopped now: lifecycle-404:warmed", async () => {
    const { report, diagnosis } = await probe(failedHost(), { lifecycle: "Warmed:Stopped" });
    expect(report.imds.lcState).toBe("Warmed:Stopped");
    expect(diagnosis.verdict).toBe("lifecycle-404:warmed");
    expect(diagnosis.restartWillWork).toBe(false);
  });

  it("IMDSv2 required and the token refused: 401 is reported, never ready", async () => {
    const { report, diagnosis } = await probe(failedHost(), { token: 403, requireToken: true, lifecycle: "InService" });
    expect(report.imds).toMatchObject({ token: 403, idCode: 401, lcCode: 401, lcState: null });
    expect(report.instanceId).toBeNull();
    expect(diagnosis.verdict).toBe("imds-unreachable");
  });

  it("IMDSv1 only (no token endpoint): falls back to GETs without a token", async () => {
    const { report, diagnosis, imds } = await probe(failedHost(), { token: 404, lifecycle: "InService" });
    expect(report.imds).toMatchObject({ token: 404, idCode: 200, lcCode: 200, lcState: "InService" });
    expect(imds!.requests).toContain("GET /latest/meta-data/autoscaling/target-lifecycle-state");
    expect(diagnosis.verdict).toBe("lifecycle-404:ready");
  });

  it("IMDS and introspection that never answer: the probe still reports, within its budget", async () => {
    const { report, run, diagnosis } = await probe(failedHost(), { hang: true }, { hang: true });
    console.log(`probe with hanging IMDS and introspection took ${run.ms} ms (report ms=${report.ms})`);
    expect(report.imds.token).toBe("timeout");
    expect(report.imds.lcCode).toBe("timeout");
    expect(report.imds.idCode).toBe("skipped");
    expect(report.agent.code).toBe("timeout");
    expect(report.skipped).toContain("imds.id");
    expect(diagnosis.verdict).toBe("imds-unreachable");
  });

  it("IMDS, introspection, systemctl and rpm all hanging: the probe still reports, logs included", async () => {
    const { report, run } = await probe(failedHost({ hang: ["systemctl", "rpm"] }), { hang: true }, { hang: true });
    console.log(`probe with everything hanging took ${run.ms} ms (report ms=${report.ms})`);
    expect(report.skipped).toEqual(expect.arrayContaining(["imds.id", "service"]));
    expect(report.service.init).toBe("unknown");
    expect(report.ecsInit).toBeNull();
    expect(report.logs.lifecycle?.code).toBe(404);
    expect(report.config.keys.ECS_WARM_POOLS_CHECK?.[0]).toBe("true");
  });

  it("systemd, and systemctl, rpm, dpkg-query and df all hanging: every step is cut, the probe prints within 9 s", async () => {
    const { report, run } = await probe(
      failedHost({ systemdDir: true, hang: ["systemctl", "rpm", "dpkg-query", "df"] }),
      { lifecycle: 404 },
      { hang: true },
    );
    console.log(`probe with every command hanging took ${run.ms} ms (report ms=${report.ms})`);
    expect(run.ms).toBeLessThan(9000);
    expect(report.service.init).toBe("systemd");
    expect(report.skipped).toEqual(expect.arrayContaining(["service", "deps", "rpm"]));
    expect(report.deps).toBeUndefined();
    expect(report.disks).toBeUndefined();
    expect(report.logs.lifecycle?.code).toBe(404);
  });

  it("nothing listening at all: refused everywhere", async () => {
    const { report, diagnosis } = await probe(failedHost(), "refused");
    expect(report.imds).toEqual({ token: "refused", idCode: "refused", lcCode: "refused", lcState: null });
    expect(diagnosis.verdict).toBe("imds-unreachable");
  });

  it("a registered agent: healthy, with introspection's cluster, ARN and version", async () => {
    const arn = "arn:aws:ecs:us-east-1:123456789012:container-instance/prod/0123456789abcdef0123456789abcdef";
    const { report, diagnosis } = await probe(
      failedHost({
        systemctl: RUNNING_SERVICE,
        rpm: "ecs-init-1.91.1-1.amzn2023.x86_64",
        logs: { "ecs-agent.log": `${LINES.start.replace("1.89.3", "1.91.1")}\n${LINES.registered}\n` },
      }),
      { lifecycle: "InService" },
      { registered: { cluster: "prod", arn, version: "Amazon ECS Agent - v1.91.1 (e5b5c1a0)" } },
    );
    expect(report.agent).toEqual({ code: 200, cluster: "prod", arn, version: "Amazon ECS Agent - v1.91.1 (e5b5c1a0)" });
    expect(report.logs.registered).toMatchObject({ n: 2, t: "2025-02-04T08:10:05Z" });
    expect(diagnosis.verdict).toBe("healthy");
  });

  it("registered, check on, affected version, no lifecycle state: at-risk", async () => {
    const arn = "arn:aws:ecs:eu-west-1:123456789012:container-instance/prod/abc";
    const { diagnosis } = await probe(
      failedHost({ systemctl: RUNNING_SERVICE, logs: { "ecs-agent.log": `${LINES.start}\n${LINES.registered}\n` } }),
      { lifecycle: 404 },
      { registered: { cluster: "prod", arn, version: "Amazon ECS Agent - v1.90.0 (0f4b3e1d)" } },
    );
    expect(diagnosis.verdict).toBe("at-risk");
  });

  it("a registration after the old 404 line makes the line history", async () => {
    const arn = "arn:aws:ecs:eu-west-1:123456789012:container-instance/prod/abc";
    const { report, diagnosis } = await probe(
      failedHost({
        systemctl: RUNNING_SERVICE,
        logs: { "ecs-agent.log": `${AFFECTED_404}${LINES.start}\n${LINES.registered}\n` },
      }),
      { lifecycle: "InService" },
      { registered: { cluster: "prod", arn, version: "Amazon ECS Agent - v1.89.3 (fb1fb409)" } },
    );
    expect(report.logs.lifecycle?.n).toBe(4);
    expect(report.logs.registered?.n).toBe(6);
    expect(diagnosis.verdict).toBe("healthy");
  });

  it("reads JSON-format logs", async () => {
    const { report, diagnosis } = await probe(
      failedHost({ logs: { "ecs-agent.log": `${LINES.jsonWaiting}\n${LINES.jsonLifecycle}\n` } }),
      { lifecycle: "InService" },
    );
    expect(report.logs.lifecycle).toMatchObject({ n: 2, code: 404, t: "2025-02-04T07:02:21Z" });
    expect(report.logs.waiting?.n).toBe(1);
    expect(diagnosis.verdict).toBe("lifecycle-404:ready");
  });

  it.each([
    [
      "structured fields (newer agents)",
      'level=critical time=2025-02-04T07:02:21.123456789Z msg="Could not determine target lifecycle of instance" error="operation error ec2imds: GetMetadata, http response error StatusCode: 404, request to EC2 IMDS failed" module=agent.go',
      "2025-02-04T07:02:21.123456789Z",
    ],
    [
      "bracket format",
      "2025-02-04T07:02:21Z [CRITICAL] Could not determine target lifecycle of instance: EC2MetadataError: failed to make EC2Metadata request\n\tstatus code: 404, request id: \ncaused by: Not Found",
      "2025-02-04T07:02:21Z",
    ],
    [
      "JSON with an offset time",
      '{"level":"critical","time":"2025-02-04T08:02:21+01:00","msg":"Could not determine target lifecycle of instance: StatusCode: 404","module":"agent.go"}',
      "2025-02-04T08:02:21+01:00",
    ],
  ])("finds the lifecycle line and its code in the %s", async (_name, line, t) => {
    const { report } = await probe(failedHost({ logs: { "ecs-agent.log": `${LINES.start}\n${line}\n` } }), {
      lifecycle: 404,
    });
    expect(report.logs.lifecycle).toMatchObject({ n: 2, code: 404, t, count: 1 });
    expect(report.logs.error).toBeUndefined();
  });

  it("reads the old bracket format and names a credentials failure", async () => {
    const { report, diagnosis } = await probe(
      failedHost({
        rpm: "ecs-init-1.25.3-1.amzn1.x86_64",
        systemctl: { ...FAILED_SERVICE, ExecMainStatus: "1", ActiveState: "activating", SubState: "auto-restart" },
        logs: { "ecs-agent.log": `${LINES.bracketStart}\n${LINES.bracketCredentials}\n` },
      }),
      { lifecycle: 404 },
    );
    expect(report.logs.started?.version).toBe("1.25.3");
    expect(report.logs.failure).toMatchObject({ kind: "credentials", n: 2, t: "2019-02-15T01:25:23Z" });
    expect(report.logs.error?.n).toBe(2);
    expect(diagnosis).toMatchObject({ verdict: "agent-failed", cause: "credentials" });
  });

  it("reads hourly-rotated files newest last, and only the newest three", async () => {
    const hour = (h: number) => `ecs-agent.log.2025-02-04-0${h}`;
    const base = 1738652400;
    const logs: SandboxSpec["logs"] = {
      [hour(3)]: { content: `${LINES.lifecycle404.replace("07:02", "03:02")}\n`, mtime: base + 3 * 3600 },
      [hour(4)]: { content: "level=info msg=x\n", mtime: base + 4 * 3600 },
      [hour(5)]: { content: "level=info msg=y\n", mtime: base + 5 * 3600 },
      [hour(6)]: { content: `${LINES.start}\n${LINES.waiting}\n`, mtime: base + 6 * 3600 },
      [hour(7)]: { content: `${LINES.lifecycle404}\n`, mtime: base + 7 * 3600 },
      "ecs-init.log": INIT_LOG,
    };
    const { report, diagnosis } = await probe(failedHost({ logs }), { lifecycle: 404 });
    expect(report.logs.files).toEqual([hour(5), hour(6), hour(7), "ecs-init.log"]);
    expect(report.logs.lifecycle).toMatchObject({ file: hour(7), n: 1, count: 1 });
    expect(report.logs.waiting).toMatchObject({ file: hour(6), n: 2 });
    expect(diagnosis.verdict).toBe("lifecycle-404:blocked");
  });

  it("reads size-rotated files (ecs-agent.log.1, .2) by age and the current file last", async () => {
    const base = 1738652400;
    const logs: SandboxSpec["logs"] = {
      "ecs-agent.log.2": { content: `${LINES.lifecycle404}\n`, mtime: base },
      "ecs-agent.log.1": { content: `${LINES.start}\n${LINES.waiting}\n${LINES.lifecycle404}\n`, mtime: base + 60 },
      "ecs-agent.log": { content: `${LINES.healthNoise}\n`, mtime: base + 120 },
    };
    const { report } = await probe(failedHost({ logs }), { lifecycle: 404 });
    expect(report.logs.files).toEqual(["ecs-agent.log.2", "ecs-agent.log.1", "ecs-agent.log"]);
    expect(report.logs.lifecycle).toMatchObject({ file: "ecs-agent.log.1", n: 3, count: 2 });
  });

  it("keeps hostile log lines valid JSON: quotes, backslashes, tabs, invalid UTF-8, ESC sequences, <script>", async () => {
    const hostile = Buffer.concat([
      Buffer.from(
        'level=error time=2025-02-04T07:02:20Z msg="bad \\"quote\\" \\\\ back\\\\slash\ttab \u001b[31mred\u001b[0m \u001b]0;title\u0007 <script>alert(1)</script> caf\u00e9 ',
      ),
      Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x82, 0x01, 0x07, 0x7f]),
      Buffer.from(' end" module=x.go\r\n'),
    ]);
    const lines = Buffer.concat([Buffer.from(`${LINES.start}\n`), hostile, Buffer.from(`${LINES.lifecycle404}\n`)]);
    const { report, line } = await probe(failedHost({ logs: { "ecs-agent.log": lines } }), { lifecycle: 404 });
    const text = report.logs.error!.text;
    expect(text).toContain('bad \\"quote\\"');
    expect(text).toContain("\ttab");
    expect(text).toContain("red");
    expect(text).not.toContain("\u001b");
    expect(text).not.toContain("[31m");
    expect(text).toContain("<script>alert(1)</script>");
    expect(text).toContain("café");
    expect(text).toContain("??"); // 0xff 0xfe
    expect(text).toContain("\u0007"); // BEL, escaped as \u0007 in the JSON
    expect(text).not.toContain("\r");
    expect(text.endsWith(' end" module=x.go')).toBe(true);
    expect([...line].filter((c) => c.charCodeAt(0) < 32)).toEqual([]);
  });

  it("caps long lines and stays under 2,400 bytes when everything is hostile", async () => {
    const q = '"\\'.repeat(3000);
    const ctl = "\u0001".repeat(3000);
    const logLines = [
      `level=error time=2025-02-04T07:02:20Z msg="Failed to connect to ACS ${q}${ctl}"`,
      `level=critical time=2025-02-04T07:02:21Z msg="Could not determine target lifecycle of instance: ${q} StatusCode: 404" ${ctl}`,
      `level=error time=2025-02-04T07:02:22Z msg="Error registering container instance: ${q}${ctl}"`,
      `level=critical time=2025-02-04T07:02:23Z msg="${ctl}${q}"`,
      `level=info time=2025-02-04T07:02:24Z msg="Instance registration completed successfully ${q}"`,
      `level=info time=2025-02-04T07:02:25Z msg="Amazon ECS agent Version: 1.89.3 ${q}"`,
    ].join("\n");
    const cfg = [
      "ECS_CLUSTER",
      "ECS_WARM_POOLS_CHECK",
      "ECS_ENABLE_SPOT_INSTANCE_DRAINING",
      "ECS_IMAGE_PULL_BEHAVIOR",
      "ECS_LOGLEVEL",
      "ECS_LOG_OUTPUT_FORMAT",
      "ECS_LOG_ROLLOVER_TYPE",
      "ECS_CHECKPOINT",
      "AWS_DEFAULT_REGION",
    ]
      .flatMap((k) => [`${k}=${q}${ctl}`, `${k.toLowerCase()}=x`])
      .concat([`HTTP_PROXY=${q}`, `https_proxy=${q}`, `NO_PROXY=${q}`])
      .join("\n");
    const logs: SandboxSpec["logs"] = {};
    for (let i = 0; i < 5; i++)
      logs[`ecs-agent.log.${"x".repeat(40)}${i}`] = { content: logLines, mtime: 1738652400 + i };
    logs["ecs-agent.log"] = logLines;
    logs[`ecs-init.log.${"y".repeat(50)}`] = `${LINES.initTerminal} ${q}\n`;
    logs["ecs-init.log"] = `${LINES.initTerminal} ${q}\n`;
    const { report, line } = await probe(
      failedHost({
        etcConfig: cfg,
        varConfig: cfg,
        logs,
        osRelease: `ID="${q}"\nVERSION_ID=${ctl}\n`,
        systemctl: Object.fromEntries(
          [...Object.keys(FAILED_SERVICE), "UnitFileState", "FragmentPath", "RestartPreventExitStatus"].map((k) => [
            k,
            q,
          ]),
        ),
        units: { docker: hostileUnit(q), containerd: hostileUnit(q) },
        rpm: null,
        dpkg: `1${"9".repeat(3000)}`,
        df: Object.fromEntries(
          ["/", "/var/lib/docker", "/var/lib/ecs"].map((p) => [
            p,
            { mount: `/${"m".repeat(3000)}`, kb: [999999999999, 999999999999, 0], inodes: null },
          ]),
        ),
      }),
      { lifecycle: `Warmed:${"A".repeat(5000)}`, instanceId: `i-${"f".repeat(100)}` },
      { registered: JSON.stringify({ Cluster: q + ctl, ContainerInstanceArn: `arn:${"a".repeat(5000)}`, Version: q }) },
    );
    console.log(`worst-case report: ${Buffer.byteLength(line)} bytes`);
    expect(report.logs.lifecycle?.text.endsWith("…")).toBe(true);
    // Every new read is there, capped, in the worst case too.
    expect(report.deps?.docker?.active?.endsWith("…")).toBe(true);
    expect(report.disks).toHaveLength(3);
    expect(report.disks![0]!.mount.endsWith("…")).toBe(true);
    expect(report.proxy).toEqual({
      where: ["config"],
      missing: ["169.254.169.254", "169.254.170.2", "/var/run/docker.sock"],
    });
    expect(report.logs.acs?.state).toBe("failed");
    expect(report.deb).toMatch(/^19+…$/);
    expect(report.config.odd?.length).toBeGreaterThan(0);
  });

  it("parses ecs.config as ecs-init does: CRLF, spaces, quotes, comments, duplicates, /etc over /var/lib", async () => {
    const etc = [
      "# ECS_WARM_POOLS_CHECK=false",
      "  ECS_CLUSTER=from-etc  \r",
      "ECS_LOGLEVEL = debug",
      'ECS_IMAGE_PULL_BEHAVIOR="prefer-cached"',
      "ECS_WARM_POOLS_CHECK=false",
      "ECS_WARM_POOLS_CHECK=true # note",
      "export ECS_LOG_ROLLOVER_TYPE=size",
      "NO_EQUALS_SIGN",
      "",
      "ECS_ENGINE_AUTH_TYPE=dockercfg\r",
      "ECS_ENABLE_SPOT_INSTANCE_DRAINING=true\r",
    ].join("\r\n");
    const varLib =
      "\ufeffECS_LOG_OUTPUT_FORMAT=json\nECS_CLUSTER=from-var\nECS_CHECKPOINT=false\nECS_WARM_POOLS_CHECK=1\n";
    const { report, diagnosis } = await probe(failedHost({ etcConfig: etc, varConfig: varLib }), { lifecycle: 404 });
    expect(report.config.files).toEqual(["/var/lib/ecs/ecs.config", "/etc/ecs/ecs.config"]);
    expect(report.config.keys.ECS_CLUSTER).toEqual(["from-etc", 1, 2]);
    expect(report.config.keys.ECS_CHECKPOINT).toEqual(["false", 0, 3]);
    expect(report.config.keys.ECS_LOG_OUTPUT_FORMAT).toBeUndefined();
    expect(report.config.keys.ECS_IMAGE_PULL_BEHAVIOR).toEqual(['"prefer-cached"', 1, 4]);
    expect(report.config.keys.ECS_WARM_POOLS_CHECK).toEqual(["true # note", 1, 6]);
    expect(report.config.keys.ECS_ENABLE_SPOT_INSTANCE_DRAINING).toEqual(["true", 1, 11]);
    expect(report.config.keys.ECS_LOGLEVEL).toBeUndefined();
    expect(report.config.odd?.sort()).toEqual(["ECS_LOGLEVEL", "ECS_LOG_OUTPUT_FORMAT", "ECS_LOG_ROLLOVER_TYPE"]);
    // "# ECS_WARM_POOLS_CHECK", "ECS_LOGLEVEL ", "export ECS_LOG_ROLLOVER_TYPE", "ECS_ENGINE_AUTH_TYPE", BOM+key
    expect(report.config.other).toBe(5);
    // The agent reads "true # note" as an invalid boolean: the check is off, so a restart will register it.
    expect(diagnosis.verdict).toBe("lifecycle-404:blocked");
    expect(diagnosis.restartWillWork).toBe(true);
  });

  it("without systemctl, rpm, config, logs or os-release it still reports", async () => {
    const { report, diagnosis } = await probe({}, { lifecycle: 404 });
    expect(report.service.init).toBe("unknown");
    expect(report.ecsInit).toBeNull();
    expect(report.config).toEqual({ files: [], keys: {}, other: 0 });
    expect(report.logs).toEqual({ files: [] });
    expect(report.os).toEqual({ id: null, version: null, boot: null });
    expect(diagnosis.verdict).toBe("unknown");
  });

  it("reads a 200 MB log in bounded time (only its last 16 MB)", async () => {
    const sb = makeSandbox(failedHost({ logs: { "ecs-init.log": INIT_LOG } }));
    cleanups.push(sb.cleanup);
    const log = `${sb.root}/var/log/ecs/ecs-agent.log`;
    const filler = 'level=debug time=2025-02-04T07:00:00Z msg="Target lifecycle state of instance: " module=agent.go';
    const gen = spawnSync(
      "bash",
      [
        "-c",
        `yes '${filler}' | head -c 209715200 > "$1" && printf '%s\\n' "$2" "$3" >> "$1"`,
        "gen",
        log,
        LINES.waiting,
        LINES.lifecycle404,
      ],
      { stdio: "ignore" },
    );
    expect(gen.status).toBe(0);
    const imds = await startImds({ lifecycle: "InService" });
    cleanups.push(imds.close);
    const run = await runProbe(sb, { imds: imds.url, agent: REFUSED_URL });
    console.log(`probe over a 200 MB ecs-agent.log took ${run.ms} ms`);
    const parsed = parseProbeOutput(run.stdout);
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.report.logs.tailed).toEqual(["ecs-agent.log"]);
    expect(parsed.report.logs.lifecycle).toMatchObject({ code: 404, file: "ecs-agent.log" });
    expect(parsed.report.logs.lifecycle!.text).toBe(LINES.lifecycle404);
    const d = diagnose({ probe: { ok: true, report: parsed.report }, ssm: {} });
    expect(d.verdict).toBe("lifecycle-404:ready");
    expect(d.evidence[0]!.label).toContain("last 16 MB");
  });

  it("recognises the old bracket-format registration line", async () => {
    const { report } = await probe(
      failedHost({ logs: { "ecs-agent.log": `${LINES.bracketStart}\n${LINES.bracketRegistered}\n` } }),
      { lifecycle: 404 },
    );
    expect(report.logs.registered).toMatchObject({ n: 2, t: "2019-02-15T01:25:30Z" });
  });

  const awks = ["/usr/bin/mawk", "/usr/bin/gawk"].filter((p) => existsSync(p));
  it.runIf(awks.length === 2)("prints the same report with mawk and gawk", async () => {
    const strip = (s: string) => s.replace(/"at":"[^"]*","ms":\d+/, "");
    const hostile = `level=error time=2025-02-04T07:02:20Z msg="\u001b[1mq\\"\\\\ caf\u00e9 \t<b>" x=1\n`;
    const spec = (awk: string) =>
      failedHost({
        awk,
        etcConfig:
          "ECS_LOGLEVEL=debug\nECS_CLUSTER=prod\nECS_WARM_POOLS_CHECK=true\nexport ECS_CHECKPOINT=1\nAWS_DEFAULT_REGION=eu-west-1\n",
        logs: { "ecs-agent.log": `${AFFECTED_404}${LINES.acsFailed}\n${hostile}`, "ecs-init.log": INIT_LOG },
        systemctl: { ...FAILED_SERVICE, ...DEB_UNIT, Environment: "HTTPS_PROXY=http://p:3128 no_proxy=169.254.0.0/16" },
        units: { docker: DOCKER_FAILED, containerd: UNIT_RUNNING },
        df: FULL_DISKS,
      });
    const [a, b] = await Promise.all(awks.map((awk) => probe(spec(awk), { lifecycle: "InService" })));
    expect(strip(a!.line)).toBe(strip(b!.line));
  });

  it("reports an uninstalled ecs-init as null and a systemd dir as systemd", async () => {
    const { report } = await probe({ rpm: null, systemdDir: true }, { lifecycle: 404 });
    expect(report.ecsInit).toBeNull();
    expect(report.service.init).toBe("systemd");
  });

  describe("the reads for every reason an instance does not join (issue 16)", () => {
    it("reads the unit file: enabled, where it came from, RestartPreventExitStatus", async () => {
      const { report } = await probe(
        failedHost({
          systemctl: {
            ...FAILED_SERVICE,
            UnitFileState: "enabled",
            FragmentPath: "/usr/lib/systemd/system/ecs.service",
            RestartPreventExitStatus: "5",
          },
        }),
        { lifecycle: 404 },
      );
      expect(report.service).toMatchObject({
        enabled: "enabled",
        unit: "/usr/lib/systemd/system/ecs.service",
        prevent: "5",
      });
      expect(report.deb).toBeUndefined();
    });

    it("a Debian host: no rpm, the deb's version from dpkg-query, the generic unit restarting the 404 every 10 s", async () => {
      const restarts = Array.from({ length: 3 }, () => AFFECTED_404).join("");
      const { report } = await probe(
        failedHost({
          rpm: undefined,
          dpkg: "1.89.3-1",
          osRelease: 'NAME="Debian GNU/Linux"\nID=debian\nVERSION_ID="12"\n',
          systemctl: {
            ...FAILED_SERVICE,
            ...DEB_UNIT,
            ActiveState: "activating",
            SubState: "auto-restart",
            NRestarts: "41",
          },
          logs: { "ecs-agent.log": restarts },
        }),
        { lifecycle: 404 },
      );
      expect(report.ecsInit).toBeNull();
      expect(report.deb).toBe("1.89.3-1");
      expect(report.service).toMatchObject({
        unit: "/lib/systemd/system/ecs.service",
        prevent: null,
        sub: "auto-restart",
        restarts: 41,
      });
      expect(report.logs.lifecycle).toMatchObject({ code: 404, count: 3 });
      expect(report.os.id).toBe("debian");
    });

    it("dpkg-query is not asked when rpm knows ecs-init, and an absent deb is left out", async () => {
      const withRpm = await probe(failedHost({ dpkg: "9.9.9-1" }), { lifecycle: 404 });
      expect(withRpm.report.deb).toBeUndefined();
      const none = await probe(failedHost({ rpm: null, dpkg: null }), { lifecycle: 404 });
      expect(none.report.ecsInit).toBeNull();
      expect(none.report.deb).toBeUndefined();
    });

    it("docker failed: the docker and containerd units as systemd shows them", async () => {
      const { report } = await probe(
        failedHost({
          systemctl: { ...FAILED_SERVICE, ActiveState: "activating", SubState: "auto-restart", ExecMainStatus: "1" },
          units: { docker: DOCKER_FAILED, containerd: UNIT_RUNNING },
        }),
        { lifecycle: 404 },
      );
      expect(report.deps).toEqual({
        docker: { load: "loaded", active: "failed", sub: "failed", result: "exit-code" },
        containerd: { load: "loaded", active: "active", sub: "running", result: "success" },
      });
    });

    it("a unit systemd does not know is reported as not-found; no answer leaves deps out", async () => {
      const { report } = await probe(
        failedHost({
          units: {
            docker: UNIT_RUNNING,
            containerd: { LoadState: "not-found", ActiveState: "inactive", SubState: "dead", Result: "success" },
          },
        }),
        { lifecycle: 404 },
      );
      expect(report.deps?.containerd).toEqual({
        load: "not-found",
        active: "inactive",
        sub: "dead",
        result: "success",
      });
      const silent = await probe(failedHost(), { lifecycle: 404 });
      expect(silent.report.deps).toBeUndefined();
    });

    it("a unit that is disabled and never ran: no agent log, inactive (dead), UnitFileState disabled", async () => {
      const { report } = await probe(
        failedHost({
          logs: {},
          systemctl: {
            ...DEB_UNIT,
            LoadState: "loaded",
            ActiveState: "inactive",
            SubState: "dead",
            Result: "success",
            ExecMainStatus: "0",
            NRestarts: "0",
            ExecMainStartTimestamp: "",
            ExecMainExitTimestamp: "",
            StateChangeTimestamp: "",
            UnitFileState: "disabled",
            FragmentPath: "/usr/lib/systemd/system/ecs.service",
            RestartPreventExitStatus: "5",
          },
        }),
        { lifecycle: 404 },
      );
      expect(report.service).toMatchObject({ active: "inactive", sub: "dead", enabled: "disabled", started: null });
      expect(report.logs).toEqual({ files: [] });
    });

    it("a 100% full disk: df -P blocks and inodes per path, its own mount for /var/lib/docker, - as null", async () => {
      const { report } = await probe(
        failedHost({
          df: FULL_DISKS,
          logs: { "ecs-agent.log": `${LINES.start}\n${LINES.diskFull}\n` },
        }),
        { lifecycle: 404 },
      );
      expect(report.disks).toEqual([
        { path: "/", mount: "/", free: 26214400, use: 17, iuse: 2 },
        { path: "/var/lib/docker", mount: "/var/lib/docker", free: 0, use: 100, iuse: null },
        { path: "/var/lib/ecs", mount: "/", free: 26214400, use: 17, iuse: 2 },
      ]);
      expect(report.logs.failure).toMatchObject({ kind: "disk-full", n: 2 });
    });

    it("df for real on the sandbox: the folders that exist, with numbers", async () => {
      const { report } = await probe(failedHost(), { lifecycle: 404 });
      expect(report.disks?.map((d) => d.path)).toEqual(["/", "/var/lib/ecs"]);
      for (const d of report.disks!) {
        expect(d.free).toBeGreaterThanOrEqual(0);
        expect(d.use).toBeGreaterThanOrEqual(0);
      }
    });

    it("a proxy in ecs.config without NO_PROXY: where, and all three addresses missing; never the value", async () => {
      const { report, line } = await probe(
        failedHost({ etcConfig: "ECS_CLUSTER=prod\nHTTP_PROXY=http://user:s3cret@proxy.corp:3128\n" }),
        { lifecycle: 404 },
      );
      expect(report.proxy).toEqual({
        where: ["config"],
        missing: ["169.254.169.254", "169.254.170.2", "/var/run/docker.sock"],
      });
      expect(line).not.toContain("s3cret");
      expect(line).not.toContain("proxy.corp");
    });

    it("NO_PROXY as ecs-init passes it: any case, CIDR and exact entries count; quotes are not stripped", async () => {
      const covered = await probe(
        failedHost({
          etcConfig:
            "https_proxy=http://proxy:3128\nno_proxy=169.254.0.0/16 , /var/run/docker.sock\nECS_CLUSTER=prod\n",
        }),
        { lifecycle: 404 },
      );
      expect(covered.report.proxy).toEqual({ where: ["config"], missing: [] });
      const quoted = await probe(
        failedHost({
          etcConfig: 'HTTP_PROXY=http://proxy:3128\nNO_PROXY="169.254.169.254,169.254.170.2,/var/run/docker.sock"\n',
        }),
        { lifecycle: 404 },
      );
      // ecs-init does no unquoting: the first and last entries carry a quote and match nothing.
      expect(quoted.report.proxy?.missing).toEqual(["169.254.169.254", "/var/run/docker.sock"]);
      const empty = await probe(failedHost({ etcConfig: "HTTP_PROXY=\nNO_PROXY=\n" }), { lifecycle: 404 });
      expect(empty.report.proxy).toBeUndefined();
    });

    it("a proxy in the unit's Environment: where unit, its own NO_PROXY; the environment is never reported", async () => {
      const { report, line } = await probe(
        failedHost({
          systemctl: {
            ...FAILED_SERVICE,
            Environment: '"HTTP_PROXY=http://proxy.corp:3128" NO_PROXY=169.254.169.254 SECRET_TOKEN=tok-9z8y',
          },
        }),
        { lifecycle: 404 },
      );
      expect(report.proxy).toEqual({ where: ["unit"], missing: ["169.254.170.2", "/var/run/docker.sock"] });
      expect(line).not.toContain("tok-9z8y");
      expect(line).not.toContain("proxy.corp");
    });

    it("ACS failed after connected: the last ACS line says failed", async () => {
      const log = [LINES.start, LINES.registered, LINES.acsConnected, LINES.acsFailed].join("\n");
      const { report } = await probe(failedHost({ logs: { "ecs-agent.log": `${log}\n` } }), { lifecycle: 404 });
      expect(report.logs.acs).toMatchObject({ state: "failed", n: 4, text: LINES.acsFailed });
    });

    it("connected after failed, idle and closed: the last ACS line says connected", async () => {
      const log = [LINES.start, LINES.acsFailed, LINES.acsIdle, LINES.acsClosed, LINES.acsConnected].join("\n");
      const { report } = await probe(failedHost({ logs: { "ecs-agent.log": `${log}\n` } }), { lifecycle: 404 });
      expect(report.logs.acs).toMatchObject({ state: "connected", n: 5, t: "2025-02-04T08:10:09Z" });
    });

    it.each([
      ["idle", "acsIdle"],
      ["closed", "acsClosed"],
    ] as const)("the ACS %s line", async (state, key) => {
      const log = [LINES.start, LINES.acsConnected, LINES[key]].join("\n");
      const { report } = await probe(failedHost({ logs: { "ecs-agent.log": `${log}\n` } }), { lifecycle: 404 });
      expect(report.logs.acs?.state).toBe(state);
    });

    it("cluster not found wins over the registration failure its lines also name", async () => {
      const log = [LINES.start, ...LINES.clusterNotFound].join("\n");
      const { report } = await probe(failedHost({ logs: { "ecs-agent.log": `${log}\n` } }), { lifecycle: 404 });
      expect(report.logs.failure).toMatchObject({ kind: "cluster-not-found", n: 1 + LINES.clusterNotFound.length });
    });

    it.each([
      ["docker-api", LINES.dockerApi],
      ["docker-api", LINES.dockerApiMinimum],
      ["disk-full", LINES.diskFull],
      ["clock-skew", LINES.clockSkew],
      ["instance-type", LINES.instanceType],
    ])("names %s from the agent's line", async (kind, text) => {
      const { report } = await probe(failedHost({ logs: { "ecs-agent.log": `${LINES.start}\n${text}\n` } }), {
        lifecycle: 404,
      });
      expect(report.logs.failure).toMatchObject({ kind, n: 2 });
    });
  });
});
