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

/** The flag's number, or undefined when it is not given; throws an Error naming the flag when `check` refuses it. */
export function numberFlag(name: string, value: string | undefined, check: (n: number) => boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || !check(n)) throw new Error(`--${name}: '${value}' is not valid`);
  return n;
}

/** How many hosts a generated fleet may have. */
export const isHostCount = (n: number) => Number.isInteger(n) && n >= 1 && n <= 100_000;
