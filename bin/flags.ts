/** The command line's flag parsing: node:util's parseArgs for every command, and number flags (`sim`, the demo). */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { FleetDoctorError } from "../lib/errors.ts";

/**
 * parseArgs, with its errors (unknown option, missing value) as bad input (exit 2), followed by the command's usage
 * when one is given.
 */
export function parseFlags<const T extends ParseArgsConfig>(config: T, usage?: string) {
  try {
    return parseArgs(config);
  } catch (e) {
    const message = String((e as Error).message);
    throw new FleetDoctorError("BAD_REQUEST", usage ? `${message}\n\n${usage}` : message);
  }
}

/** The flags every subcommand has: --json for machine-readable output, -h/--help for its usage. */
const COMMON = {
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const satisfies ParseArgsConfig["options"];

/**
 * A subcommand's flags: its own `options` and the common ones, strictly parsed (positionals only where allowed).
 * Undefined when --help asked for the usage, which it has printed: the command then exits 0.
 */
export function commandFlags<const O extends NonNullable<ParseArgsConfig["options"]>, const P extends boolean = false>(
  argv: string[],
  options: O,
  usage: string,
  allowPositionals?: P,
) {
  const parsed = parseFlags({
    args: argv,
    options: { ...options, ...COMMON },
    strict: true,
    allowPositionals: (allowPositionals ?? false) as P,
  });
  if ((parsed.values as { help?: boolean }).help) {
    console.log(usage);
    return undefined;
  }
  return parsed;
}

/** The flag's number, or undefined when it is not given; throws an Error naming the flag when `check` refuses it. */
export function numberFlag(name: string, value: string | undefined, check: (n: number) => boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || !check(n)) throw new Error(`--${name}: '${value}' is not valid`);
  return n;
}

/** How many hosts a generated fleet may have. */
export const isHostCount = (n: number) => Number.isInteger(n) && n >= 1 && n <= 100_000;
