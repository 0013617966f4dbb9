import { config } from "../../lib/config.ts";
import { isVerdict, VERDICTS } from "../../lib/diagnosis/catalogue.ts";
import { FleetDoctorError } from "../../lib/errors.ts";
import { openStore } from "../../lib/store/store.ts";
import type { InstanceSummary } from "../../lib/store/types.ts";
import type { Command } from "../cli.ts";
import { parseFlags } from "../flags.ts";
import { formatTriage, triageRow } from "../triage.ts";

const USAGE = `Usage: fleet-doctor instances [--verdict V[,V...]] [--group NAME] [--json]

Prints the latest diagnosis of every instance in FLEET_DOCTOR_DB (no AWS calls), grouped by verdict.
Verdicts: ${VERDICTS.join(", ")}`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags({
    args: argv,
    options: {
      verdict: { type: "string" },
      group: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
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
  const store = openStore(config().dbPath);
  try {
    const items: InstanceSummary[] = [];
    for (let offset = 0; ; offset += 1000) {
      const page = store.latestResults({
        ...(verdicts.length ? { verdict: verdicts.filter(isVerdict) } : {}),
        ...(values.group ? { group: values.group } : {}),
        limit: 1000,
        offset,
      });
      items.push(...page.items);
      if (page.items.length < 1000) break;
    }
    if (values.json) {
      console.log(JSON.stringify({ total: items.length, instances: items }, null, 2));
    } else {
      console.log(formatTriage(items.map(triageRow), process.stdout.columns || 120));
    }
    return 0;
  } finally {
    store.close();
  }
}

export default { run } satisfies Command;
