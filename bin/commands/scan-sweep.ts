import { config } from "../../lib/config.ts";
import { FleetDoctorError } from "../../lib/errors.ts";
import { listFleets } from "../../lib/fleets/list-fleets.ts";
import { getSweep } from "../../lib/scan/get-sweep.ts";
import { pickFleets } from "../../lib/scan/select-fleets.ts";
import { startSweep } from "../../lib/scan/start-sweep.ts";
import type { SweepFleetView } from "../../lib/scan/sweep-types.ts";
import type { Targets } from "../../lib/scan/types.ts";
import { openConfiguredStore } from "../../lib/store/index.ts";
import { countVerdicts, needsAttention, triageRow } from "../triage.ts";

export type SweepFlags = { fleet?: string[]; account?: string; region?: string; json?: boolean };

/**
 * `fleet-doctor scan` over several fleets (a fleets file, or --fleet/--account/--region): one sweep, every chosen
 * fleet read at once with its own clients, then one line per fleet and a summary. Exit 0 when every fleet was read
 * and nothing needs attention, 1 when something does or a fleet could not be read (partial), 2 for bad input.
 */
export async function runSweepCommand(targets: Targets, flags: SweepFlags): Promise<number> {
  const cfg = config();
  const selection = pickFleets(await listFleets(cfg), {
    ...(flags.fleet ? { fleets: flags.fleet } : {}),
    ...(flags.account !== undefined ? { account: flags.account } : {}),
    ...(flags.region !== undefined ? { region: flags.region } : {}),
  });
  const store = openConfiguredStore(cfg);
  const tty = process.stderr.isTTY === true;
  const n = selection.targets.length + selection.errors.length;
  try {
    if (tty) process.stderr.write(`scanning ${n} fleet${n === 1 ? "" : "s"}…`);
    const answer = await startSweep(selection, targets, { store, config: cfg, actor: "cli" });
    await answer.done;
    if (tty) process.stderr.write("\r\x1b[K");
    const sweep = await getSweep(store, answer.sweepId);
    if (!sweep) throw new FleetDoctorError("INTERNAL", `Sweep ${answer.sweepId} vanished from the store.`);
    const lines: { fleet: SweepFleetView; instances: number; attention: number; attentionAny: boolean }[] = [];
    for (const f of sweep.fleets) {
      const rows = f.scanId ? (await store.scanResults(f.scanId)).map(triageRow) : [];
      const counts = countVerdicts(rows);
      lines.push({
        fleet: f,
        instances: rows.length,
        attention: rows.length - (counts.healthy ?? 0),
        attentionAny: needsAttention(rows),
      });
    }
    const read = sweep.fleets.filter((f) => !f.error).length;
    const errors = sweep.fleets.length - read;
    const instances = lines.reduce((a, l) => a + l.instances, 0);
    const attention = lines.reduce((a, l) => a + l.attention, 0);
    if (flags.json) {
      console.log(JSON.stringify(sweep, null, 2));
    } else {
      const width = Math.max(...sweep.fleets.map((f) => f.fleet.length), 5);
      for (const { fleet: f, instances: k, attention: a } of lines) {
        const name = f.fleet.padEnd(width);
        if (f.error) {
          console.log(`${name}  error      ${f.error.code}: ${f.error.message}`);
        } else {
          const status = (f.scan?.status ?? "pending").padEnd(9);
          const joined = f.joined ? " (joined a running scan)" : "";
          console.log(`${name}  ${status}  ${k} instances, ${a} need attention  scan ${f.scanId}${joined}`);
        }
      }
      console.log(
        `sweep ${sweep.id}: ${sweep.status}: ${read} of ${sweep.fleets.length} fleets read` +
          `${errors ? `, ${errors} in error` : ""}; ${instances} instances, ${attention} need attention`,
      );
    }
    if (sweep.status !== "completed") return 1;
    return lines.some((l) => l.attentionAny) ? 1 : 0;
  } finally {
    await store.close();
  }
}
