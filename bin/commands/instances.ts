import { identifyFleet } from "../../lib/aws/fleet.ts";
import { config } from "../../lib/config.ts";
import { isVerdict, VERDICTS } from "../../lib/diagnosis/catalogue.ts";
import { FleetDoctorError } from "../../lib/errors.ts";
import { openConfiguredStore } from "../../lib/store/index.ts";
import type { InstanceSummary } from "../../lib/store/types.ts";
import type { Command } from "../cli.ts";
import { commandFlags } from "../flags.ts";
import { formatTriage, triageRow } from "../triage.ts";

const USAGE = `Usage: fleet-doctor instances [--verdict V[,V...]] [--group NAME] [--include-gone] [--json]

Prints the latest diagnosis of every instance of the fleet in view (the account STS GetCallerIdentity names, or the
endpoint, and AWS_REGION) from FLEET_DOCTOR_DB, grouped by verdict. Its only AWS call is that STS one.

  --include-gone   also the instances a full scan of the fleet no longer sees (listed apart, with when)
Verdicts: ${VERDICTS.join(", ")}`;

export async function run(argv: string[]): Promise<number> {
  const flags = commandFlags(
    argv,
    {
      verdict: { type: "string" },
      group: { type: "string" },
      "include-gone": { type: "boolean", default: false },
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
  const cfg = config();
  const fleet = await identifyFleet(cfg);
  const store = openConfiguredStore(cfg);
  try {
    const items: InstanceSummary[] = [];
    for (let offset = 0; ; offset += 1000) {
      const page = await store.latestResults({
        ...(verdicts.length ? { verdict: verdicts.filter(isVerdict) } : {}),
        ...(values.group ? { group: values.group } : {}),
        fleet: fleet.id,
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
      console.log(JSON.stringify({ fleet: fleet.id, total: items.length, instances: items }, null, 2));
    } else {
      console.log(`fleet ${fleet.id}`);
      console.log(formatTriage(present.map(triageRow), process.stdout.columns || 120));
      if (gone.length > 0) {
        console.log(`\ngone (${gone.length}): a full scan of the fleet no longer sees them; not counted above`);
        for (const i of gone)
          console.log(`  ${i.instanceId}  last ${i.verdict}, last seen ${i.probedAt}, gone since ${i.goneSince}`);
      }
    }
    return 0;
  } finally {
    store.close();
  }
}

export default { run } satisfies Command;
