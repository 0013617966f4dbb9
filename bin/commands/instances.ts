import { config } from "../../lib/config.ts";
import { isVerdict, VERDICTS } from "../../lib/diagnosis/catalogue.ts";
import { FleetDoctorError } from "../../lib/errors.ts";
import { scopeFilter } from "../../lib/fleets/console-fleets.ts";
import { listFleets } from "../../lib/fleets/list-fleets.ts";
import { narrowFleets } from "../../lib/fleets/narrow-fleets.ts";
import { openConfiguredStore } from "../../lib/store/index.ts";
import type { InstanceSummary } from "../../lib/store/types.ts";
import type { Command } from "../cli.ts";
import { commandFlags } from "../flags.ts";
import { fleetFlags } from "../fleet-flags.ts";
import { formatTriage, triageRow } from "../triage.ts";

const USAGE = `Usage: fleet-doctor instances [--verdict V[,V...]] [--group NAME] [--fleet ACCOUNT/REGION[,...]]
                              [--account ID] [--region NAME] [--include-gone] [--json]

Prints the latest diagnosis of every instance of the configured fleets (FLEET_DOCTOR_FLEETS; without it the one
fleet of the default credentials: the account STS GetCallerIdentity names, or the endpoint, and AWS_REGION) from
the store, grouped by verdict. Its only AWS calls are those that list the fleets.

  --fleet          these fleets (a comma list of ACCOUNT/REGION, or all), also fleets only the store has results of
  --account        the fleets of this 12-digit account
  --region         the fleets in this region
  --include-gone   also the instances a full scan of the fleet no longer sees (listed apart, with when)
Verdicts: ${VERDICTS.join(", ")}`;

export async function run(argv: string[]): Promise<number> {
  const flags = commandFlags(
    argv,
    {
      verdict: { type: "string" },
      group: { type: "string" },
      "include-gone": { type: "boolean", default: false },
      fleet: { type: "string" },
      account: { type: "string" },
      region: { type: "string" },
    },
    USAGE,
  );
  if (!flags) return 0;
  const { values } = flags;
  const verdicts =
    values.verdict
      ?.split(",")
      .map((v) => v.trim())
      .filter(Boolean) ?? [];
  const bad = verdicts.find((v) => !isVerdict(v));
  if (bad !== undefined) {
    throw new FleetDoctorError(
      "BAD_REQUEST",
      `--verdict: unknown verdict '${bad.slice(0, 40)}' (one of ${VERDICTS.join(", ")})`,
    );
  }
  const where = fleetFlags(values);
  const cfg = config();
  // The fleets asked for, or the configured ones: a fleet only the store has results of is listed when named.
  const fleets = narrowFleets(where.fleets ? [] : (await listFleets(cfg)).targets.map((t) => t.id), where);
  const store = openConfiguredStore(cfg);
  try {
    const items: InstanceSummary[] = [];
    for (let offset = 0; fleets.length > 0; offset += 1000) {
      const page = await store.latestResults({
        ...(verdicts.length ? { verdict: verdicts.filter(isVerdict) } : {}),
        ...(values.group ? { group: values.group } : {}),
        ...scopeFilter(fleets),
        ...(where.account ? { account: where.account } : {}),
        ...(where.region ? { region: where.region } : {}),
        includeGone: values["include-gone"],
        limit: 1000,
        offset,
      });
      items.push(...page.items);
      if (page.items.length < 1000) break;
    }
    const gone = items.filter((i) => i.goneSince);
    const present = items.filter((i) => !i.goneSince);
    if (values.json) {
      const one = fleets.length === 1 ? { fleet: fleets[0] } : {};
      console.log(JSON.stringify({ ...one, fleets, total: items.length, instances: items }, null, 2));
    } else {
      console.log(fleets.length === 1 ? `fleet ${fleets[0]}` : `fleets ${fleets.join(", ") || "(none match)"}`);
      // Several fleets: each row says its fleet (the same instance id in two accounts is two instances).
      const row = (i: InstanceSummary) =>
        fleets.length > 1 && i.fleet ? { ...triageRow(i), instanceId: `${i.instanceId} ${i.fleet}` } : triageRow(i);
      console.log(formatTriage(present.map(row), process.stdout.columns || 120));
      if (gone.length > 0) {
        console.log(`\ngone (${gone.length}): a full scan of the fleet no longer sees them; not counted above`);
        for (const i of gone)
          console.log(
            `  ${i.instanceId}${i.fleet && fleets.length > 1 ? ` (${i.fleet})` : ""}  last ${i.verdict}, last seen ${i.probedAt}, gone since ${i.goneSince}`,
          );
      }
    }
    return 0;
  } finally {
    store.close();
  }
}

export default { run } satisfies Command;
