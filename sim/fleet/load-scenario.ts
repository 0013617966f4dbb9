import { readFile } from "node:fs/promises";
import path from "node:path";
import type { z } from "zod";
import { FleetError } from "../fleet-types.ts";
import { type Scenario, scenarioSchema } from "./scenario-schema.ts";

export const SCENARIO_DIR = path.resolve(import.meta.dirname, "../scenarios");

/** Scenarios this module produced: parsing them again (10,000 hosts take seconds) is skipped. */
const validated = new WeakSet<object>();

function formatPath(p: readonly PropertyKey[]): string {
  let out = "";
  for (const k of p) out += typeof k === "number" ? `[${k}]` : out ? `.${String(k)}` : String(k);
  return out || "(root)";
}

function formatIssue(issue: z.core.$ZodIssue): string {
  return `${formatPath(issue.path)}: ${issue.message}`;
}

/** Validates a scenario value; throws FleetError("ValidationError", "<source>: hosts[3].agentVersion: ...") naming the field. */
export function parseScenario(value: unknown, source = "scenario"): Scenario {
  if (typeof value === "object" && value !== null && validated.has(value)) return value as Scenario;
  const result = scenarioSchema.safeParse(value);
  if (result.success) {
    validated.add(result.data);
    return result.data;
  }
  const issues = result.error.issues;
  const more =
    issues.length > 1 ? ` (and ${issues.length - 1} more: ${issues.slice(1, 4).map(formatIssue).join("; ")})` : "";
  throw new FleetError("ValidationError", `${source}: ${formatIssue(issues[0]!)}${more}`);
}

/** A scenario by name (`sim/scenarios/<name>.json`) or by path. */
export async function loadScenario(nameOrPath: string): Promise<Scenario> {
  const isName = /^[\w-]+$/.test(nameOrPath);
  const file = isName ? path.join(SCENARIO_DIR, `${nameOrPath}.json`) : path.resolve(nameOrPath);
  const label = isName ? `${nameOrPath}.json` : file;
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FleetError("ValidationError", `${label}: cannot read scenario (${code ?? String(e)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new FleetError("ValidationError", `${label}: not valid JSON (${(e as Error).message})`);
  }
  return parseScenario(json, label);
}
