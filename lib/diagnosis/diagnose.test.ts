import { describe, expect, it } from "vitest";
import {
  failedReport,
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
import { type AgentFailureCause, type Diagnosis, VERDICTS, type Verdict } from "./types.ts";

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
