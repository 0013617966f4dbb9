/**
 * End to end through the simulator: every host of every scenario is probed with the real probe.sh over SSM
 * SendCommand (real SDK, real bash in the host's sandbox), the output is parsed and diagnosed, and the verdict must
 * be the one the scenario expects. Offline hosts are not sent to (as the scan does) and are diagnosed from SSM.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { AutoScalingClient, DescribeAutoScalingInstancesCommand } from "@aws-sdk/client-auto-scaling";
import {
  type CommandInvocation,
  DescribeInstanceInformationCommand,
  ListCommandInvocationsCommand,
  SendCommandCommand,
  SSMClient,
} from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator } from "../../sim/main.ts";
import { type DiagnosisFacts, diagnose } from "../diagnosis/diagnose.ts";
import { AGENT_FAILURE_CAUSES } from "../diagnosis/types.ts";
import { parseProbeOutput } from "./report.ts";
import { MAX_REPORT_BYTES } from "./report-schema.ts";
import { probeCommands } from "./scripts.ts";

const SCENARIO_DIR = path.resolve(import.meta.dirname, "../../sim/scenarios");
// A multi-account scenario's hosts live in its member accounts (lib/scan/multi-verdicts.test.ts reads them there).
const scenarios = readdirSync(SCENARIO_DIR)
  .filter((f) => f.endsWith(".json") && !("accounts" in JSON.parse(readFileSync(path.join(SCENARIO_DIR, f), "utf8"))))
  .map((f) => f.replace(/\.json$/, ""));

type ScenarioHost = { id: string; expect?: string; stopped?: boolean; failure?: string };

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const TERMINAL = new Set(["Success", "Failed", "TimedOut", "Cancelled"]);

async function probeAll(url: string) {
  const ssm = new SSMClient({ endpoint: url, region: "us-east-1", credentials, maxAttempts: 8 });
  const asg = new AutoScalingClient({ endpoint: url, region: "us-east-1", credentials, maxAttempts: 8 });
  const info: { InstanceId?: string; PingStatus?: string }[] = [];
  let next: string | undefined;
  do {
    const page = await ssm.send(new DescribeInstanceInformationCommand({ MaxResults: 50, NextToken: next }));
    info.push(...(page.InstanceInformationList ?? []));
    next = page.NextToken;
  } while (next);
  const ids = info.map((i) => i.InstanceId!);
  const membership = new Map<string, { group: string; lifecycleState: string }>();
  for (let i = 0; i < ids.length; i += 50) {
    const r = await asg.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: ids.slice(i, i + 50) }));
    for (const a of r.AutoScalingInstances ?? []) {
      membership.set(a.InstanceId!, { group: a.AutoScalingGroupName!, lifecycleState: a.LifecycleState! });
    }
  }
  const online = info.filter((i) => i.PingStatus === "Online").map((i) => i.InstanceId!);
  const invocations = new Map<string, CommandInvocation>();
  const commands = probeCommands();
  for (let i = 0; i < online.length; i += 50) {
    const batch = online.slice(i, i + 50);
    const sent = await ssm.send(
      new SendCommandCommand({
        DocumentName: "AWS-RunShellScript",
        InstanceIds: batch,
        Parameters: { commands, executionTimeout: ["30"] },
        TimeoutSeconds: 60,
      }),
    );
    const commandId = sent.Command!.CommandId!;
    for (;;) {
      const got: CommandInvocation[] = [];
      let token: string | undefined;
      do {
        const page = await ssm.send(
          new ListCommandInvocationsCommand({ CommandId: commandId, Details: true, MaxResults: 50, NextToken: token }),
        );
        got.push(...(page.CommandInvocations ?? []));
        token = page.NextToken;
      } while (token);
      if (got.length === batch.length && got.every((g) => TERMINAL.has(g.Status ?? ""))) {
        for (const g of got) invocations.set(g.InstanceId!, g);
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  ssm.destroy();
  asg.destroy();
  const results = new Map<string, { facts: DiagnosisFacts; output?: string }>();
  for (const i of info) {
    const id = i.InstanceId!;
    const inv = invocations.get(id);
    const m = membership.get(id);
    if (!inv) {
      results.set(id, { facts: { probe: undefined, ssm: { pingStatus: i.PingStatus }, membership: m } });
      continue;
    }
    const plugin = inv.CommandPlugins?.[0];
    const output = plugin?.Output ?? "";
    const parsed = parseProbeOutput(output);
    results.set(id, {
      output,
      facts: {
        probe: parsed.ok ? { ok: true, report: parsed.report } : { ok: false, error: parsed.error },
        ssm: {
          pingStatus: i.PingStatus,
          status: inv.Status,
          statusDetails: inv.StatusDetails,
          responseCode: plugin?.ResponseCode,
          output,
        },
        membership: m,
      },
    });
  }
  return results;
}

describe.each(scenarios)("scenario %s through the simulator", (name) => {
  const hosts = (JSON.parse(readFileSync(path.join(SCENARIO_DIR, `${name}.json`), "utf8")) as { hosts: ScenarioHost[] })
    .hosts;
  const expected = hosts.filter((h) => h.expect && !h.stopped);
  let sim: { url: string; close(): Promise<void> };
  let results: Awaited<ReturnType<typeof probeAll>>;

  beforeAll(async () => {
    sim = await startSimulator({ scenario: name, exec: "bash" });
    results = await probeAll(sim.url);
  }, 120_000);
  afterAll(async () => {
    await sim?.close();
  });

  it("gives every host the verdict its scenario expects", () => {
    expect(expected.length).toBeGreaterThan(0);
    const got: Record<string, string> = {};
    const want: Record<string, string> = {};
    const why: string[] = [];
    for (const h of expected) {
      want[h.id] = h.expect!;
      const r = results.get(h.id);
      const d = r ? diagnose(r.facts) : undefined;
      got[h.id] = d?.verdict ?? "(not listed)";
      // A host with a named startup failure must get it as the cause of agent-failed; one whose Docker unit the
      // simulator has down (`Cannot connect to the Docker daemon`) gets docker-down, whatever its line says.
      if (h.expect === "agent-failed" && (AGENT_FAILURE_CAUSES as readonly string[]).includes(h.failure ?? "")) {
        const report = r?.facts.probe?.ok ? r.facts.probe.report : undefined;
        const dockerDown = ["failed", "inactive"].includes(report?.deps?.docker?.active ?? "");
        want[h.id] = `agent-failed/${h.failure === "docker" && dockerDown ? "docker-down" : h.failure}`;
        got[h.id] = `${d?.verdict}/${d?.cause}`;
      }
      if (got[h.id] !== want[h.id])
        why.push(`${h.id}: want ${want[h.id]}, got ${got[h.id]}: ${d?.summary}\n  ${r?.output}`);
    }
    if (why.length) console.log(why.join("\n"));
    expect(got).toEqual(want);
  });

  it("every probe output is one valid report under 2,400 bytes (but where the host cannot run scripts)", () => {
    const failing = new Set(hosts.filter((h) => h.expect === "probe-failed").map((h) => h.id));
    for (const [id, r] of results) {
      if (r.output === undefined || failing.has(id)) continue;
      expect(Buffer.byteLength(r.output), id).toBeLessThan(MAX_REPORT_BYTES + 1);
      expect(r.facts.probe?.ok, `${id}: ${r.output}`).toBe(true);
    }
  });
});
