import { config } from "../../lib/config.ts";
import { consoleFleets } from "../../lib/fleets/console-fleets.ts";
import { fleetReadErrors } from "../../lib/fleets/fleet-read-errors.ts";
import { listFleets } from "../../lib/fleets/list-fleets.ts";
import { openConfiguredStore } from "../../lib/store/index.ts";
import type { Command } from "../cli.ts";
import { commandFlags } from "../flags.ts";

const USAGE = `Usage: fleet-doctor fleets [--json]

Lists the fleets (one account in one region each): the configured ones (FLEET_DOCTOR_FLEETS; without it the one
fleet of the default credentials and AWS_REGION), each with the error that keeps it from being read, and those only
the store has results of, with how many instances each has in the store. A fleet's error is why it could not be
listed, or why the last sweep could not read it (a role that cannot be assumed). Exits 1 when a fleet has an error.`;

// Names come from the fleets file or Organizations: no control characters (terminal escapes) reach the terminal.
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point.
const clean = (s: string | undefined) => (s ?? "").replace(/[\u0000-\u001f\u007f-\u009f]/g, " ").slice(0, 200);

export async function run(argv: string[]): Promise<number> {
  const flags = commandFlags(argv, {}, USAGE);
  if (!flags) return 0;
  const cfg = config();
  const view = await listFleets(cfg);
  const store = openConfiguredStore(cfg);
  try {
    const fleets = consoleFleets(view, await store.fleetsInStore(), await fleetReadErrors(store));
    if (flags.values.json) {
      console.log(JSON.stringify({ source: view.source, fleets }, null, 2));
    } else {
      const head = ["FLEET", "ACCOUNT", "NAME", "REGION", "SOURCE", "INSTANCES", "STATUS"];
      const rows = fleets.map((f) => [
        f.id,
        f.account,
        clean(f.name) || "-",
        f.region,
        f.source,
        String(f.instances),
        f.error ? `${clean(f.error.code)}: ${clean(f.error.message)}` : f.source === "store" ? "not configured" : "ok",
      ]);
      const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
      // The last column is not padded: an error message may be long.
      const line = (r: string[]) =>
        r
          .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
          .join("  ")
          .trimEnd();
      console.log([line(head), ...rows.map(line)].join("\n"));
      const errors = fleets.filter((f) => f.error).length;
      console.log(
        `\n${fleets.length} ${fleets.length === 1 ? "fleet" : "fleets"}${errors ? `, ${errors} cannot be read` : ""}.`,
      );
    }
    return fleets.some((f) => f.error) ? 1 : 0;
  } finally {
    store.close();
  }
}

export default { run } satisfies Command;
