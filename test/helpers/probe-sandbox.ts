/**
 * Test helpers for the probe: a sandbox folder laid out like an instance (FLEET_DOCTOR_ROOT), fake `systemctl` and
 * `rpm` on PATH, a local IMDS and introspection server (port 0), and a runner for the real probe.sh in bash.
 * Used by tests only.
 */
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export const PROBE_PATH = new URL("../../lib/probe/probe.sh", import.meta.url).pathname;

export type SandboxSpec = {
  /** /etc/ecs/ecs.config content (string or bytes). */
  etcConfig?: string | Buffer;
  /** /var/lib/ecs/ecs.config content. */
  varConfig?: string | Buffer;
  /** Files in /var/log/ecs: name -> content; optional mtime (seconds since epoch) to order rotated files. */
  logs?: Record<string, string | Buffer | { content: string | Buffer; mtime: number }>;
  osRelease?: string;
  /** `systemctl show ecs` properties; undefined = no systemctl on PATH. */
  systemctl?: Record<string, string>;
  /** `rpm -q ecs-init` answer; null = not installed; undefined = no rpm on PATH. */
  rpm?: string | null;
  /** /proc/stat btime (seconds). */
  btime?: number;
  /** Create run/systemd/system. */
  systemdDir?: boolean;
  /** `systemctl show docker containerd` blocks (properties as systemd prints them); omitted units are not printed. */
  units?: { docker?: Record<string, string>; containerd?: Record<string, string> };
  /** `dpkg-query -W -f='${Version}' ecs-init` answer; null = not installed; undefined = the machine's own. */
  dpkg?: string | null;
  /**
   * A fake `df -P -k|-i`: per path inside the instance (`/`, `/var/lib/docker`, `/var/lib/ecs`), its mount point,
   * 1K-blocks [size, used, available] and inodes [total, used, free] (null: df prints `-`). The folders are created.
   */
  df?: Record<string, { mount: string; kb: [number, number, number]; inodes: [number, number, number] | null }>;
  /** Fake commands that never finish (they sleep 30 s). */
  hang?: ("systemctl" | "rpm" | "df" | "dpkg-query")[];
  /** Run the probe with this awk (a path, e.g. /usr/bin/gawk) instead of the system's. */
  awk?: string;
};

export type Sandbox = { dir: string; root: string; bin: string; cleanup(): void };

export function makeSandbox(spec: SandboxSpec): Sandbox {
  const dir = mkdtempSync(path.join(tmpdir(), "fd-probe-"));
  const root = path.join(dir, "root");
  const bin = path.join(dir, "bin");
  mkdirSync(bin, { recursive: true });
  mkdirSync(path.join(root, "var/log/ecs"), { recursive: true });
  mkdirSync(path.join(root, "etc/ecs"), { recursive: true });
  mkdirSync(path.join(root, "var/lib/ecs"), { recursive: true });
  if (spec.etcConfig !== undefined) writeFileSync(path.join(root, "etc/ecs/ecs.config"), spec.etcConfig);
  if (spec.varConfig !== undefined) writeFileSync(path.join(root, "var/lib/ecs/ecs.config"), spec.varConfig);
  for (const [name, v] of Object.entries(spec.logs ?? {})) {
    const file = path.join(root, "var/log/ecs", name);
    if (typeof v === "object" && !Buffer.isBuffer(v)) {
      writeFileSync(file, v.content);
      utimesSync(file, v.mtime, v.mtime);
    } else writeFileSync(file, v);
  }
  if (spec.osRelease !== undefined) writeFileSync(path.join(root, "etc/os-release"), spec.osRelease);
  if (spec.btime !== undefined) {
    mkdirSync(path.join(root, "proc"), { recursive: true });
    writeFileSync(path.join(root, "proc/stat"), `cpu  1 2 3\nbtime ${spec.btime}\nprocesses 1\n`);
  }
  if (spec.systemdDir) mkdirSync(path.join(root, "run/systemd/system"), { recursive: true });
  if (spec.systemctl) {
    const props = Object.entries(spec.systemctl)
      .map(([k, v]) => `${k}=${v}`)
      .join("\n");
    writeFileSync(path.join(dir, "systemctl.props"), `${props}\n`);
    // Blocks in systemd's order (a service's Result before the unit's Id), separated by a blank line.
    const blocks = (["docker", "containerd"] as const)
      .filter((u) => spec.units?.[u])
      .map((u) => {
        const { Result, ...rest } = spec.units![u]!;
        const lines = [...(Result === undefined ? [] : [`Result=${Result}`]), `Id=${u}.service`];
        return [...lines, ...Object.entries(rest).map(([k, v]) => `${k}=${v}`)].join("\n");
      });
    writeFileSync(path.join(dir, "systemctl.units"), blocks.length ? `${blocks.join("\n\n")}\n` : "");
    writeFileSync(
      path.join(bin, "systemctl"),
      `#!/bin/bash
[ "$1" = show ] || exit 1
if [ "$2" = ecs ]; then cat ${JSON.stringify(path.join(dir, "systemctl.props"))}; exit 0; fi
[ "$2" = docker ] && [ "$3" = containerd ] && cat ${JSON.stringify(path.join(dir, "systemctl.units"))}
`,
    );
    chmodSync(path.join(bin, "systemctl"), 0o755);
  }
  if (spec.rpm !== undefined) {
    const body =
      spec.rpm === null
        ? 'echo "package ecs-init is not installed"; exit 1'
        : `[ "$1" = -q ] && [ "$2" = ecs-init ] || exit 1\necho ${JSON.stringify(spec.rpm)}`;
    writeFileSync(path.join(bin, "rpm"), `#!/bin/bash\n${body}\n`);
    chmodSync(path.join(bin, "rpm"), 0o755);
  }
  if (spec.dpkg !== undefined) {
    const body =
      spec.dpkg === null
        ? 'echo "dpkg-query: no packages found matching ecs-init" >&2; exit 1'
        : `[ "$1" = -W ] && [ "$2" = '-f=\${Version}' ] && [ "$3" = ecs-init ] || exit 2\nprintf '%s' ${JSON.stringify(spec.dpkg)}`;
    writeFileSync(path.join(bin, "dpkg-query"), `#!/bin/bash\n${body}\n`);
    chmodSync(path.join(bin, "dpkg-query"), 0o755);
  }
  if (spec.df) {
    const cases = Object.entries(spec.df).map(([p, d]) => {
      mkdirSync(path.join(root, p), { recursive: true });
      const k = `/dev/nvme0n1p1 ${d.kb.join(" ")} ${d.kb[0] ? Math.ceil((d.kb[1] * 100) / (d.kb[1] + d.kb[2])) : 0}% ${d.mount}`;
      const i = d.inodes
        ? `/dev/nvme0n1p1 ${d.inodes.join(" ")} ${Math.ceil((d.inodes[1] * 100) / d.inodes[0])}% ${d.mount}`
        : `/dev/nvme0n1p1 0 0 0 - ${d.mount}`;
      return `    ${JSON.stringify(path.join(root, p).replace(/\/$/, ""))}) [ "$kind" = -k ] && echo ${JSON.stringify(k)} || echo ${JSON.stringify(i)} ;;`;
    });
    writeFileSync(
      path.join(bin, "df"),
      `#!/bin/bash
[ "$1" = -P ] || exit 1
kind=$2
shift 2
[ "$kind" = -k ] && echo "Filesystem     1024-blocks      Used Available Capacity Mounted on" || echo "Filesystem      Inodes  IUsed   IFree IUse% Mounted on"
for p in "$@"; do
  case "\${p%/}" in
${cases.join("\n")}
    *) echo "df: $p: No such file or directory" >&2; rc=1 ;;
  esac
done
exit \${rc:-0}
`,
    );
    chmodSync(path.join(bin, "df"), 0o755);
  }
  if (spec.awk) symlinkSync(spec.awk, path.join(bin, "awk"));
  for (const name of spec.hang ?? []) {
    writeFileSync(path.join(bin, name), "#!/bin/bash\nsleep 30\n");
    chmodSync(path.join(bin, name), 0o755);
  }
  return { dir, root, bin, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A PATH with the sandbox's fakes first, and without the host's systemctl/rpm (only coreutils & co). */
export function sandboxPath(sb: Sandbox): string {
  return [sb.bin, "/usr/local/bin", "/usr/bin", "/bin"].join(":");
}

export type ImdsSpec = {
  /** Token PUT: "ok" issues a token; a number answers that status; "hang" never answers. */
  token?: "ok" | number | "hang";
  /** GETs without a valid token get 401 (IMDSv2 required). */
  requireToken?: boolean;
  /** Lifecycle state: a string body with 200, or a status code (404). */
  lifecycle?: string | number;
  instanceId?: string;
  /** Never answer anything (accept the connection and hold it). */
  hang?: boolean;
};

export type AgentSpec = { registered?: { cluster: string; arn: string; version: string } | string; hang?: boolean };

export type TestServer = { url: string; requests: string[]; close(): Promise<void> };

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const TOKEN = "AQAEAFake-token==";

export function startImds(spec: ImdsSpec): Promise<TestServer> {
  return listen((req, res) => {
    if (spec.hang) return;
    const send = (code: number, body = "") => {
      res.writeHead(code, { "content-type": "text/plain" });
      res.end(body);
    };
    if (req.url === "/latest/api/token") {
      const t = spec.token ?? "ok";
      if (t === "hang") return;
      if (req.method !== "PUT") return send(405);
      if (t === "ok") {
        if (!req.headers["x-aws-ec2-metadata-token-ttl-seconds"]) return send(400);
        return send(200, TOKEN);
      }
      return send(t);
    }
    if (spec.requireToken && req.headers["x-aws-ec2-metadata-token"] !== TOKEN) return send(401);
    if (req.url === "/latest/meta-data/instance-id") return send(200, spec.instanceId ?? "i-0abc123def4567890");
    if (req.url === "/latest/meta-data/autoscaling/target-lifecycle-state") {
      const lc = spec.lifecycle ?? 404;
      return typeof lc === "number" ? send(lc, "<html>Not Found</html>") : send(200, lc);
    }
    send(404);
  });
}

export function startAgent(spec: AgentSpec): Promise<TestServer> {
  return listen((req, res) => {
    if (spec.hang) return;
    if (req.url !== "/v1/metadata" || !spec.registered) {
      res.writeHead(404);
      return res.end();
    }
    res.writeHead(200, { "content-type": "application/json" });
    const r = spec.registered;
    res.end(
      typeof r === "string"
        ? r
        : JSON.stringify({ Cluster: r.cluster, ContainerInstanceArn: r.arn, Version: r.version }),
    );
  });
}

/** A URL on which nothing listens (connection refused). */
export const REFUSED_URL = "http://127.0.0.1:9";

export type ProbeRun = { stdout: string; stderr: string; code: number | null; ms: number };

/** Runs the real probe.sh with bash (asynchronously: the test's servers keep answering meanwhile). */
export function runProbe(
  sb: Sandbox,
  urls: { imds: string; agent: string },
  extraEnv: Record<string, string> = {},
): Promise<ProbeRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [PROBE_PATH], {
      env: {
        PATH: sandboxPath(sb),
        HOME: sb.dir,
        FLEET_DOCTOR_ROOT: sb.root,
        FLEET_DOCTOR_IMDS_URL: urls.imds,
        FLEET_DOCTOR_AGENT_URL: urls.agent,
        ...extraEnv,
      } as unknown as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        code,
        ms: Date.now() - started,
      }),
    );
  });
}

// Real log lines (facts/ecs-agent.md), in the three formats.
export const LINES = {
  start:
    'level=info time=2025-02-04T07:02:12Z msg="Amazon ECS agent Version: 1.89.3, Commit: fb1fb409" module=agent.go',
  waiting: 'level=info time=2025-02-04T07:02:16Z msg="Waiting for instance to go InService" module=agent.go',
  healthNoise:
    'level=error time=2025-02-04T07:02:17Z msg="health check [HEAD http://localhost:51678/v1/metadata] failed with error: Head \\"http://localhost:51678/v1/metadata\\": dial tcp 127.0.0.1:51678: connect: connection refused" module=healthcheck.go',
  lifecycle404:
    'level=critical time=2025-02-04T07:02:21Z msg="Could not determine target lifecycle of instance: operation error ec2imds: GetMetadata, http response error StatusCode: 404, request to EC2 IMDS failed" module=agent.go',
  registered:
    'level=info time=2025-02-04T08:10:05Z msg="Instance registration completed successfully" instanceArn="arn:aws:ecs:us-east-1:123456789012:container-instance/prod/0123456789abcdef0123456789abcdef" cluster="prod" module=client.go',
  initExit: 'level=info time=2025-02-04T07:02:21Z msg="Agent exited with code 5"',
  initTerminal: 'level=error time=2025-02-04T07:02:21Z msg="agent exited with terminal exit code: 5" module=engine.go',
  jsonLifecycle:
    '{"level":"critical","time":"2025-02-04T07:02:21Z","msg":"Could not determine target lifecycle of instance: operation error ec2imds: GetMetadata, http response error StatusCode: 404, request to EC2 IMDS failed","module":"agent.go"}',
  jsonWaiting:
    '{"level":"info","time":"2025-02-04T07:02:16Z","msg":"Waiting for instance to go InService","module":"agent.go"}',
  bracketStart: "2019-02-15T01:25:20Z [INFO] Amazon ECS agent Version: 1.25.3, Commit: 0a2f1b31",
  bracketCredentials:
    "2019-02-15T01:25:23Z [ERROR] Error getting valid credentials (AKID ): NoCredentialProviders: no valid providers in chain. Deprecated.",
  acsConnected: 'level=info time=2025-02-04T08:10:09Z msg="Connected to ACS endpoint" module=session.go',
  acsFailed:
    'level=error time=2025-02-04T09:12:40Z msg="Failed to connect to ACS" error="websocket client: unable to dial ecs-a-1.us-east-1.amazonaws.com response: : dial tcp 10.0.0.12:443: i/o timeout" module=session.go',
  acsIdle:
    'level=warn time=2025-02-04T09:11:40Z msg="ACS Connection hasn\'t had any activity for too long; closing connection" module=session.go',
  acsClosed: 'level=info time=2025-02-04T09:11:41Z msg="ACS WebSocket connection closed" module=session.go',
  clusterNotFound: [
    'level=error time=2025-02-04T07:02:14Z msg="Unable to register as a container instance with ECS: ClientException: Cluster not found." module=client.go',
    'level=error time=2025-02-04T07:02:14Z msg="Received terminal error from RegisterContainerInstance call, exiting" error="ClientException: Cluster not found."',
    'level=error time=2025-02-04T07:02:14Z msg="Error registering container instance" error="ClientException: Cluster not found."',
    'level=critical time=2025-02-04T07:02:14Z msg="Agent will terminally exit, unable to register container instance: ClientException: Cluster not found." module=agent.go',
  ],
  dockerApi:
    'level=critical time=2025-02-04T07:02:13Z msg="Error creating Docker client: Error response from daemon: client version 1.21 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version" module=agent.go',
  dockerApiMinimum:
    'level=error time=2025-02-04T07:02:13Z msg="Could not get supported docker versions." error="Error response from daemon: client version 1.17 is too old. Minimum supported API version is 1.24" module=docker_client.go',
  diskFull:
    'level=critical time=2025-02-04T07:02:13Z msg="Unable to initialize new task engine: write /data/agent.db: no space left on device" module=agent.go',
  clockSkew:
    'level=error time=2025-02-04T07:02:14Z msg="Error registering container instance" error="InvalidSignatureException: Signature not yet current: 20250204T071214Z is still later than 20250204T070714Z (20250204T070214Z + 5 min.)"',
  instanceType:
    'level=critical time=2025-02-04T07:02:14Z msg="The current instance type does not match the registered instance type. Please revert the instance type change, or alternatively launch a new instance: InvalidParameterException: Container instance type changes are not supported." module=agent.go',
  bracketRegistered:
    "2019-02-15T01:25:30Z [INFO] Registration completed successfully. I am running as 'arn:...' in cluster 'default'",
} as const;

export const FAILED_SERVICE = {
  LoadState: "loaded",
  ActiveState: "failed",
  SubState: "failed",
  Result: "exit-code",
  ExecMainStatus: "5",
  NRestarts: "0",
  ExecMainStartTimestamp: "Tue 2025-02-04 07:02:11 UTC",
  ExecMainExitTimestamp: "Tue 2025-02-04 07:02:21 UTC",
  StateChangeTimestamp: "Tue 2025-02-04 07:02:21 UTC",
};

export const RUNNING_SERVICE = {
  ...FAILED_SERVICE,
  ActiveState: "active",
  SubState: "running",
  Result: "success",
  ExecMainStatus: "0",
  ExecMainExitTimestamp: "n/a",
};
