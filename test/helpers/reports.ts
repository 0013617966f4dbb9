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
