/**
 * Report fixtures for diagnosis tests: a probe report of an affected 1.89.3 host that died on the lifecycle 404
 * (the case of facts/ecs-agent.md), and small edits that turn it into every other situation. Tests only.
 */
import type { ProbeReport } from "../../lib/probe/report-schema.ts";

export const LIFECYCLE_TEXT =
  'level=critical time=2025-02-04T07:02:21Z msg="Could not determine target lifecycle of instance: operation error ec2imds: GetMetadata, http response error StatusCode: 404, request to EC2 IMDS failed" module=agent.go';

export function failedReport(): ProbeReport {
  return {
    schema: 1,
    at: "2025-02-04T09:15:02Z",
    ms: 400,
    instanceId: "i-0abc123def4567890",
    imds: { token: "ok", idCode: 200, lcCode: 404, lcState: null },
    config: {
      files: ["/etc/ecs/ecs.config"],
      keys: { ECS_CLUSTER: ["prod", 0, 1], ECS_WARM_POOLS_CHECK: ["true", 0, 2] },
      other: 1,
    },
    service: {
      init: "systemd",
      load: "loaded",
      active: "failed",
      sub: "failed",
      result: "exit-code",
      status: 5,
      restarts: 0,
      started: "Tue 2025-02-04 07:02:11 UTC",
      exited: "Tue 2025-02-04 07:02:21 UTC",
      changed: "Tue 2025-02-04 07:02:21 UTC",
    },
    ecsInit: "ecs-init-1.89.3-1.amzn2023.x86_64",
    agent: { code: "refused" },
    logs: {
      files: ["ecs-agent.log", "ecs-init.log"],
      started: { file: "ecs-agent.log", n: 3, t: "2025-02-04T07:02:12Z", version: "1.89.3" },
      waiting: { file: "ecs-agent.log", n: 13, t: "2025-02-04T07:02:16Z" },
      lifecycle: { file: "ecs-agent.log", n: 14, t: "2025-02-04T07:02:21Z", code: 404, count: 1, text: LIFECYCLE_TEXT },
      init: {
        file: "ecs-init.log",
        n: 9,
        t: "2025-02-04T07:02:21Z",
        code: 5,
        text: 'level=error time=2025-02-04T07:02:21Z msg="agent exited with terminal exit code: 5" module=engine.go',
      },
    },
    os: { id: "amzn", version: "2023", boot: "2025-02-04T07:01:40Z" },
  };
}

export const RUNNING: ProbeReport["service"] = {
  init: "systemd",
  load: "loaded",
  active: "active",
  sub: "running",
  result: "success",
  status: 0,
  restarts: 0,
  started: "Tue 2025-02-04 08:10:00 UTC",
  exited: null,
  changed: "Tue 2025-02-04 08:10:00 UTC",
};

export const REGISTERED_AGENT = (version = "1.89.3"): ProbeReport["agent"] => ({
  code: 200,
  cluster: "prod",
  arn: "arn:aws:ecs:us-east-1:123456789012:container-instance/prod/0123456789abcdef0123456789abcdef",
  version: `Amazon ECS Agent - v${version} (fb1fb409)`,
});

/** A registered, healthy host on `version` (no failure lines). */
export function healthyReport(version = "1.91.1"): ProbeReport {
  const r = failedReport();
  r.ecsInit = `ecs-init-${version}-1.amzn2023.x86_64`;
  r.service = RUNNING;
  r.agent = REGISTERED_AGENT(version);
  r.imds = { token: "ok", idCode: 200, lcCode: 200, lcState: "InService" };
  r.logs = {
    files: ["ecs-agent.log"],
    started: { file: "ecs-agent.log", n: 1, t: "2025-02-04T08:10:01Z", version },
    registered: {
      file: "ecs-agent.log",
      n: 9,
      t: "2025-02-04T08:10:05Z",
      text: 'level=info time=2025-02-04T08:10:05Z msg="Instance registration completed successfully" module=client.go',
    },
  };
  return r;
}

export function withImds(r: ProbeReport, lc: ProbeReport["imds"]["lcCode"], state: string | null = null): ProbeReport {
  return { ...r, imds: { ...r.imds, lcCode: lc, lcState: state } };
}

export function withCheck(r: ProbeReport, value: string | undefined): ProbeReport {
  const keys = { ...r.config.keys };
  if (value === undefined) delete keys.ECS_WARM_POOLS_CHECK;
  else keys.ECS_WARM_POOLS_CHECK = [value, 0, 2];
  return { ...r, config: { ...r.config, keys } };
}

export function withVersion(r: ProbeReport, version: string): ProbeReport {
  return {
    ...r,
    ecsInit: `ecs-init-${version}-1.amzn2023.x86_64`,
    agent: r.agent.version ? { ...r.agent, version: `Amazon ECS Agent - v${version} (abcdef12)` } : r.agent,
    logs: r.logs.started ? { ...r.logs, started: { ...r.logs.started, version } } : r.logs,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Issue 16: the other reasons an instance does not join. Lines as the agent (aws/amazon-ecs-agent) writes them.

export const ACS_LINES = {
  connected: 'level=info time=2025-06-02T10:00:07Z msg="Connected to ACS endpoint" module=acs_handler.go',
  failed:
    'level=error time=2025-06-02T10:14:03Z msg="Failed to connect to ACS" error="dial tcp 10.0.0.12:443: i/o timeout"',
  idle: 'level=warn time=2025-06-02T10:14:03Z msg="ACS Connection hasn\'t had any activity for too long; closing connection"',
  closed: 'level=info time=2025-06-02T10:14:03Z msg="ACS WebSocket connection closed" module=session.go',
} as const;

/** A registered, running agent whose last ACS line is `state` (line 40 of ecs-agent.log, after its registration). */
export function acsReport(state: keyof typeof ACS_LINES, version = "1.105.0"): ProbeReport {
  const r = healthyReport(version);
  r.logs.acs = { file: "ecs-agent.log", n: 40, t: "2025-06-02T10:14:03Z", state, text: ACS_LINES[state] };
  return r;
}

/** A dead agent (service failed, exit status `status`) whose failure line is `text` of `kind`, IMDS InService. */
export function failedWith(
  kind: NonNullable<ProbeReport["logs"]["failure"]>["kind"],
  text: string,
  opts: { version?: string; status?: number } = {},
): ProbeReport {
  const version = opts.version ?? "1.105.0";
  const r = failedReport();
  r.ecsInit = `ecs-init-${version}-1.amzn2023.x86_64`;
  r.imds = { token: "ok", idCode: 200, lcCode: 200, lcState: "InService" };
  r.config.keys = { ECS_CLUSTER: ["prod", 0, 1] };
  r.service = { ...r.service, status: opts.status ?? 5, enabled: "enabled", prevent: "5" };
  r.deps = { docker: { load: "loaded", active: "active", sub: "running", result: "success" } };
  r.disks = [
    { path: "/", mount: "/", free: 20971520, use: 30, iuse: 4 },
    { path: "/var/lib/docker", mount: "/", free: 20971520, use: 30, iuse: 4 },
  ];
  r.logs = {
    files: ["ecs-agent.log", "ecs-init.log"],
    started: { file: "ecs-agent.log", n: 1, t: "2025-06-02T10:00:01Z", version },
    failure: { file: "ecs-agent.log", n: 12, t: "2025-06-02T10:00:04Z", kind, text },
    error: { file: "ecs-agent.log", n: 12, t: "2025-06-02T10:00:04Z", text },
    init: {
      file: "ecs-init.log",
      n: 9,
      t: "2025-06-02T10:00:05Z",
      code: opts.status ?? 5,
      text:
        (opts.status ?? 5) === 5
          ? 'level=error time=2025-06-02T10:00:05Z msg="agent exited with terminal exit code: 5" module=engine.go'
          : `level=warn time=2025-06-02T10:00:05Z msg="ECS Agent failed to start, retrying in 1.2s" module=engine.go`,
    },
  };
  return r;
}

/** The agent's exact lines for the failures of issue 16 (agent source; facts/ecs-agent.md). */
export const FAILURE_LINES = {
  clusterNotFound:
    'level=error time=2025-06-02T10:00:04Z msg="Unable to register as a container instance with ECS: ClientException: Cluster not found." module=client.go',
  clusterTerminal:
    'level=critical time=2025-06-02T10:00:04Z msg="Received terminal error from RegisterContainerInstance call, exiting" error="ClientException: Cluster not found."',
  stateMismatch:
    "level=critical time=2025-06-02T10:00:04Z msg=\"Data mismatch; saved cluster 'staging' does not match configured cluster 'prod'. Perhaps you want to delete the configured checkpoint file?\" module=agent.go",
  dockerApi:
    'level=error time=2025-06-02T10:00:04Z msg="Error response from daemon: client version 1.21 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version" module=docker_client.go',
  dockerVersions:
    'level=critical time=2025-06-02T10:00:04Z msg="Could not get supported docker versions." module=agent.go',
  diskFull:
    'level=critical time=2025-06-02T10:00:04Z msg="Error saving state" error="write /data/agent.db: no space left on device"',
  cgroups:
    'level=critical time=2025-06-02T10:00:04Z msg="Unable to initialize cgroup root for ECS: cgroup mount not found" module=agent.go',
  cloudInit:
    'level=critical time=2025-06-02T10:00:04Z msg="Cloud-init failure detected: datasource DataSourceNone. Userdata was not executed during instance boot. Refusing to start with potentially incorrect config." module=agent.go',
  credentials:
    'level=error time=2025-06-02T10:00:04Z msg="Error getting valid credentials: NoCredentialProviders: no valid providers in chain" module=agent.go',
  imdsRegion:
    'level=critical time=2025-06-02T10:00:04Z msg="Unable to communicate with EC2 Metadata service to infer region: RequestError: send request failed" module=agent.go',
  clockSkew:
    'level=error time=2025-06-02T10:00:04Z msg="Unable to register as a container instance with ECS: InvalidSignatureException: Signature not yet current: 20250602T101004Z is still later than 20250602T100504Z (20250602T100004Z + 5 min.)" module=client.go',
  instanceType:
    'level=critical time=2025-06-02T10:00:04Z msg="The current instance type does not match the registered instance type. Please revert the instance type change, or alternatively launch a new instance: InvalidParameterException: Container instance type changes are not supported." module=agent.go',
} as const;
