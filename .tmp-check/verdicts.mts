// Ad-hoc (not committed): the scale-out scenario at its real timings; the launched hosts' verdicts by the app's diagnosis.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
const run = promisify(execFile);
import { startSimulator } from "../sim/main.ts";
import { diagnose } from "../lib/diagnosis/diagnose.ts";
import { parseProbeOutput } from "../lib/probe/report.ts";
import { probeCommands } from "../lib/probe/scripts.ts";
import { SSMClient, SendCommandCommand, GetCommandInvocationCommand } from "@aws-sdk/client-ssm";
import { AutoScalingClient, DescribeAutoScalingInstancesCommand } from "@aws-sdk/client-auto-scaling";
const wait = Number(process.argv[2] ?? 115);
const t0 = Date.now();
const sim = await startSimulator({ scenario: "scale-out", exec: "bash" });
console.log("sim", sim.url, "started in", Date.now() - t0, "ms");
const cfg = { endpoint: sim.url, region: "us-east-1", credentials: { accessKeyId: "t", secretAccessKey: "t" } };
const ssm = new SSMClient(cfg), asg = new AutoScalingClient(cfg);
await new Promise((r) => setTimeout(r, wait * 1000));
const aws = async (...a: string[]) => (await run("aws", ["--endpoint-url", sim.url, "--output", "json", ...a], { env: { ...process.env, AWS_ACCESS_KEY_ID: "t", AWS_SECRET_ACCESS_KEY: "t", AWS_DEFAULT_REGION: "us-east-1" } })).stdout;
console.log("$ aws autoscaling describe-auto-scaling-groups --auto-scaling-group-names web --query ...");
console.log(await aws("autoscaling", "describe-auto-scaling-groups", "--auto-scaling-group-names", "web", "--query", "AutoScalingGroups[0].{Desired:DesiredCapacity,Max:MaxSize,States:Instances[].LifecycleState}"));
console.log("$ aws autoscaling describe-warm-pool --auto-scaling-group-name batch --query ...");
console.log(await aws("autoscaling", "describe-warm-pool", "--auto-scaling-group-name", "batch", "--query", "{Pool:WarmPoolConfiguration,States:Instances[].[InstanceId,LifecycleState]}"));
console.log("$ aws ssm describe-instance-information --query 'length(InstanceInformationList)'");
console.log(await aws("ssm", "describe-instance-information", "--query", "length(InstanceInformationList)"));
const groups = (await (await fetch(`${sim.url}/_sim/groups`)).json()) as { groups: { name: string; instances: { instanceId: string; launchedBy: unknown; lifecycleState: string; agentPhase: string }[] }[] };
const launched = groups.groups.flatMap((g) => g.instances.filter((i) => i.launchedBy).map((i) => ({ ...i, group: g.name })));
const ids = launched.map((l) => l.instanceId);
const sent = await ssm.send(new SendCommandCommand({ DocumentName: "AWS-RunShellScript", InstanceIds: ids, Parameters: { commands: probeCommands(), executionTimeout: ["30"] } }));
const mem = new Map((await asg.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: ids }))).AutoScalingInstances!.map((a) => [a.InstanceId!, { group: a.AutoScalingGroupName!, lifecycleState: a.LifecycleState! }]));
const counts: Record<string, number> = {};
for (const l of launched) {
  let inv;
  for (;;) {
    inv = await ssm.send(new GetCommandInvocationCommand({ CommandId: sent.Command!.CommandId!, InstanceId: l.instanceId })).catch(() => undefined);
    if (inv && ["Success", "Failed", "TimedOut"].includes(inv.Status!)) break;
    await new Promise((r) => setTimeout(r, 300));
  }
  const p = parseProbeOutput(inv.StandardOutputContent ?? "");
  const d = diagnose({ probe: p.ok ? { ok: true, report: p.report } : { ok: false, error: p.error }, ssm: { pingStatus: "Online", status: inv.Status }, membership: mem.get(l.instanceId) });
  const k = `${l.group} ${mem.get(l.instanceId)?.lifecycleState} ${l.agentPhase} -> ${d.verdict}`;
  counts[k] = (counts[k] ?? 0) + 1;
}
console.log(counts);
ssm.destroy(); asg.destroy();
await sim.close();
