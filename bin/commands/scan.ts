import { createClients } from "../../lib/aws/clients.ts";
import { config } from "../../lib/config.ts";
import { type ErrorCode, exitCodeFor, FleetDoctorError } from "../../lib/errors.ts";
import { runScan } from "../../lib/scan/run-scan.ts";
import { targetsSchema } from "../../lib/scan/targets.ts";
import type { ScanStatus, Targets } from "../../lib/scan/types.ts";
import { openConfiguredStore } from "../../lib/store/index.ts";
import type { Command } from "../cli.ts";
import { commandFlags } from "../flags.ts";
import { countVerdicts, formatTriage, needsAttention, type TriageRow, triageRow } from "../triage.ts";
import { runSweepCommand } from "./scan-sweep.ts";

const USAGE = `Usage: fleet-doctor scan [--tag KEY=VALUE | --group NAME | --ids i-...,i-...]
                         [--fleet ACCOUNT/REGION]... [--account 123456789012] [--region REGION] [--json]

Probes the instances (all SSM-managed ones by default) read-only through SSM Run Command, diagnoses each, stores
the results in FLEET_DOCTOR_DB and prints a triage table grouped by verdict.

  --tag KEY=VALUE   instances with this tag
  --group NAME      the instances of this Auto Scaling group (warm pool included)
  --ids LIST        these instance ids, comma-separated
  --fleet ID        scan this fleet (ACCOUNT/REGION, one listed by the fleets file); repeatable
  --account ID      only the listed fleets of this account (12 digits)
  --region REGION   only the listed fleets in this region
  --json            print {scanId, status, counts, instances: [...]} instead of the table; each instance's
                    "registered" says whether ECS has it as a container instance (absent: ECS not asked),
                    and "ecsNote" says why when the scan could not read ECS

With a fleets file (FLEET_DOCTOR_FLEETS), or --fleet/--account/--region, one sweep reads every chosen fleet at
once (each with its own clients) and prints a line per fleet and a summary (--json: the sweep with its fleets);
a fleet that cannot be entered or read is reported as that fleet's error, and the sweep is then partial (exit 1).

Exit codes: 0 nothing needs attention, 1 something does, 2 error (bad input, scan failed or cancelled).`;

export function targetsFromArgs(values: { tag?: string; group?: string; ids?: string }): Targets {
  const given = [values.tag, values.group, values.ids].filter((v) => v !== undefined).length;
  if (given > 1) throw new FleetDoctorError("BAD_REQUEST", "Give at most one of --tag, --group and --ids.");
  let raw: unknown = { kind: "all" };
  if (values.tag !== undefined) {
    const eq = values.tag.indexOf("=");
    if (eq <= 0) throw new FleetDoctorError("BAD_REQUEST", "--tag must be KEY=VALUE.");
    raw = { kind: "tag", key: values.tag.slice(0, eq), value: values.tag.slice(eq + 1) };
  } else if (values.group !== undefined) {
    raw = { kind: "group", name: values.group };
  } else if (values.ids !== undefined) {
    raw = {
      kind: "ids",
      ids: values.ids
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    };
  }
  const parsed = targetsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const flag = values.tag !== undefined ? "--tag" : values.group !== undefined ? "--group" : "--ids";
    const where = issue.path.length > 1 ? ` (${issue.path.slice(1).join(".")})` : "";
    throw new FleetDoctorError("BAD_REQUEST", `${flag}${where}: ${issue.message}`);
  }
  return parsed.data;
}

function progressLine(done: number, total: number | undefined, sent: number): string {
  if (total === undefined) return "inventory…";
  const width = 30;
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total} diagnosed, ${sent} sent`;
}

export async function run(argv: string[]): Promise<number> {
  const flags = commandFlags(
    argv,
    {
      tag: { type: "string" },
      group: { type: "string" },
      ids: { type: "string" },
      fleet: { type: "string", multiple: true },
      account: { type: "string" },
      region: { type: "string" },
    },
    USAGE,
  );
  if (!flags) return 0;
  const { values } = flags;
  const targets = targetsFromArgs(values);
  const cfg = config();
  if (cfg.fleetsFile || values.fleet || values.account !== undefined || values.region !== undefined) {
    return runSweepCommand(targets, values);
  }
  const store = openConfiguredStore(cfg);
  const clients = createClients(cfg);
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write("\ncancelling (Ctrl-C again to quit at once)…\n");
    controller.abort(new Error("interrupted"));
  };
  process.on("SIGINT", onSigint);
  const tty = process.stderr.isTTY === true;
  let rows: TriageRow[] = [];
  let done = 0;
  let scanId = "";
  let status: ScanStatus = "running";
  let total: number | undefined;
  let sent = 0;
  let failure: string | undefined;
  let failureCode: ErrorCode | undefined;
  let ecsNote: string | undefined;
  try {
    for await (const event of runScan(targets, { clients, store, config: cfg, signal: controller.signal })) {
      switch (event.type) {
        case "scan-started":
          scanId = event.scanId;
          break;
        case "inventory":
          total = event.total;
          break;
        case "batch-sent":
          sent += event.instanceIds.length;
          break;
        case "instance":
          done++;
          break;
        case "warning":
          if (!values.json && event.kind !== "throttled")
            process.stderr.write(`${tty ? "\r\x1b[K" : ""}warning: ${event.message}\n`);
          break;
        case "batch-failed":
          process.stderr.write(
            `${tty ? "\r\x1b[K" : ""}warning: a batch of ${event.instanceIds.length} failed: ${event.error}\n`,
          );
          break;
        case "scan-finished":
          status = event.status;
          {
            const row = await store.getScan(scanId);
            failure = row?.error;
            ecsNote = row?.ecsNote;
          }
          failureCode = event.errorCode;
          // The events are slim: the results are read once, from the store.
          rows = (await store.scanResults(scanId)).map(triageRow);
          break;
      }
      if (tty) process.stderr.write(`\r\x1b[K${progressLine(done, total, sent)}`);
    }
  } finally {
    if (tty) process.stderr.write("\r\x1b[K");
    process.off("SIGINT", onSigint);
    clients.ssm.destroy();
    clients.autoscaling.destroy();
    clients.ecs.destroy();
    await store.close();
  }
  if (values.json) {
    const body = { scanId, status, counts: countVerdicts(rows), ...(ecsNote ? { ecsNote } : {}), instances: rows };
    console.log(JSON.stringify(body, null, 2));
  } else {
    console.log(formatTriage(rows, process.stdout.columns || 120));
    console.log(`scan ${scanId}: ${status}${status === "partial" && failure ? ` (${failure})` : ""}`);
  }
  if (status === "failed") {
    process.stderr.write(`fleet-doctor scan: the scan failed: ${failure ?? "unknown error"}\n`);
    // The README's exit codes: 3 when AWS could not be reached, 4 for Fleet Doctor's own failure.
    return exitCodeFor(new FleetDoctorError(failureCode ?? "INTERNAL", failure ?? ""));
  }
  // Partial: some instances have no true result (unresolved, not sent); they need a look.
  if (status === "partial") return 1;
  if (status !== "completed") return 2;
  return needsAttention(rows) ? 1 : 0;
}

export default { run } satisfies Command;
