import { config } from "../../lib/config.ts";
import { FleetDoctorError } from "../../lib/errors.ts";
import { isFleetId } from "../../lib/fleets/fleet-ids.ts";
import { parseId } from "../../lib/http/ids.ts";
import { requireOneFleet } from "../../lib/instances/which-fleet.ts";
import { openConfiguredStore } from "../../lib/store/index.ts";
import type { Command } from "../cli.ts";
import { commandFlags } from "../flags.ts";

const USAGE = `Usage: fleet-doctor instance <instance-id> [--fleet ACCOUNT/REGION] [--history N] [--json]

Prints an instance's latest diagnosis and its history, newest first, from the store (no AWS call). An instance id is
only unique inside one fleet (account and region): when the id is in several, name one with --fleet (without it,
the command lists them and exits 2).

  --fleet     the fleet, <account>/<region> (e.g. 111111111111/us-east-1)
  --history   how many past results to print (default 10)`;

export async function run(argv: string[]): Promise<number> {
  const flags = commandFlags(argv, { fleet: { type: "string" }, history: { type: "string" } }, USAGE, true);
  if (!flags) return 0;
  const { values, positionals } = flags;
  if (positionals.length !== 1) throw new FleetDoctorError("BAD_REQUEST", `one instance id expected\n\n${USAGE}`);
  const id = parseId("instance", positionals[0]);
  if (!id) throw new FleetDoctorError("BAD_REQUEST", `'${positionals[0]!.slice(0, 40)}' is not an instance id`);
  if (values.fleet !== undefined && !isFleetId(values.fleet)) {
    throw new FleetDoctorError("BAD_REQUEST", `--fleet: '${values.fleet.slice(0, 80)}' is not <account>/<region>`);
  }
  const n = values.history === undefined ? 10 : Number(values.history);
  if (!Number.isInteger(n) || n < 0 || n > 1000) {
    throw new FleetDoctorError("BAD_REQUEST", `--history: '${String(values.history).slice(0, 20)}' is not 0..1000`);
  }
  const store = openConfiguredStore(config());
  try {
    const fleet = await requireOneFleet(store, id, values.fleet, "--fleet <account>/<region>");
    const latest = await store.latestResult(id, fleet);
    if (!latest) throw new FleetDoctorError("NOT_FOUND", `No result for instance ${id}`);
    const history = n > 0 ? await store.instanceHistory(id, n, fleet) : [];
    const gone = await store.goneOf(id, fleet);
    if (values.json) {
      const { rawOutput: _raw, ...instance } = latest;
      const past = history.map(({ rawOutput: _r, ...r }) => r);
      console.log(JSON.stringify({ fleet: fleet ?? null, instance, gone: gone ?? null, history: past }, null, 2));
    } else {
      console.log(`${id}  fleet ${fleet ?? "(not recorded)"}`);
      console.log(`  ${latest.verdict}: ${latest.diagnosis.summary.slice(0, 400)}`);
      console.log(`  probed ${latest.probedAt} by scan ${latest.scanId}`);
      if (gone) console.log(`  gone since ${gone.since}: the full scan ${gone.scanId} of ${gone.fleet} did not see it`);
      if (history.length > 0) console.log("history:");
      for (const r of history) console.log(`  ${r.probedAt}  ${r.verdict}  scan ${r.scanId}`);
    }
    return latest.verdict === "healthy" && !gone ? 0 : 1;
  } finally {
    await store.close();
  }
}

export default { run } satisfies Command;
