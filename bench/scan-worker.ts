/**
 * One side of bench/scan.ts in its own process (so its peak RSS is its own): `ours` runs runScan over every
 * instance; `naive` sends the same batches, then asks GetCommandInvocation for each instance every 5 s until it
 * ends, as `aws ssm wait command-executed` does. Prints one JSON line of figures.
 */
import { GetCommandInvocationCommand, paginateDescribeInstanceInformation } from "@aws-sdk/client-ssm";
import pLimit from "p-limit";
import { createClients } from "../lib/aws/clients.ts";
import { sendShellCommand } from "../lib/aws/commands.ts";
import { errorName } from "../lib/aws/errors.ts";
import { pacer, sleep } from "../lib/aws/pace.ts";
import { config } from "../lib/config.ts";
import { probeCommands } from "../lib/probe/scripts.ts";
import { runScan } from "../lib/scan/run-scan.ts";
import { openConfiguredStore } from "../lib/store/index.ts";

const kind = process.argv[2];
const cfg = config();
const clients = createClients(cfg);
const started = performance.now();
const byStatus: Record<string, number> = {};
let instances = 0;
let sent = 0;
let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 250);

if (kind === "ours") {
  // SQLite at FLEET_DOCTOR_DB, or PostgreSQL when the bench sets FLEET_DOCTOR_DATABASE_URL.
  const store = openConfiguredStore(cfg);
  for await (const e of runScan({ kind: "all" }, { clients, store, config: cfg })) {
    if (e.type === "instance") {
      instances++;
      byStatus[e.verdict] = (byStatus[e.verdict] ?? 0) + 1;
    } else if (e.type === "batch-sent") sent += e.instanceIds.length;
  }
  await store.close();
} else {
  const limit = Number(process.env.BENCH_NAIVE_INSTANCES ?? 500);
  const online: string[] = [];
  for await (const page of paginateDescribeInstanceInformation(
    { client: clients.ssm, pageSize: 50 },
    { MaxResults: 50 },
  )) {
    for (const i of page.InstanceInformationList ?? [])
      if (i.PingStatus === "Online" && i.InstanceId) online.push(i.InstanceId);
  }
  const ids = online.slice(0, limit);
  instances = ids.length;
  const pace = pacer(cfg.sendRate);
  const pending = new Map<string, string>(); // instance -> command
  for (let i = 0; i < ids.length; i += 50) {
    const batch = ids.slice(i, i + 50);
    await pace.take();
    const commandId = await sendShellCommand(clients.ssm, {
      instanceIds: batch,
      commands: probeCommands(),
      deliveryTimeoutSeconds: cfg.deliveryTimeoutSeconds,
      executionTimeoutSeconds: cfg.probeTimeoutSeconds,
      comment: "naive bench",
    });
    sent += batch.length;
    for (const id of batch) pending.set(id, commandId);
  }
  const get = pLimit(16);
  while (pending.size > 0) {
    await Promise.all(
      [...pending].map(([id, commandId]) =>
        get(async () => {
          try {
            const r = await clients.ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: id }));
            if (["Success", "Failed", "Cancelled", "TimedOut"].includes(r.Status ?? "")) {
              byStatus[r.Status!] = (byStatus[r.Status!] ?? 0) + 1;
              pending.delete(id);
            }
          } catch (e) {
            if (errorName(e) !== "InvocationDoesNotExist")
              byStatus[`error:${errorName(e)}`] = (byStatus[`error:${errorName(e)}`] ?? 0) + 1;
          }
        }),
      ),
    );
    if (pending.size > 0) await sleep(5000);
  }
}

clearInterval(sampler);
clients.ssm.destroy();
clients.autoscaling.destroy();
const usage = process.resourceUsage();
const maxRss = Math.max(peakRss, usage.maxRSS * 1024);
// CPU time is the figure a loaded machine does not distort (wall time there is mostly waiting for a core).
const cpuMs = Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000);
console.log(
  JSON.stringify({
    wallMs: Math.round(performance.now() - started),
    cpuMs,
    maxRssMB: maxRss / 1024 / 1024,
    instances,
    sent,
    byStatus,
  }),
);
