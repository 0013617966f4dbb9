/** Number flags shared by the command line's `sim` and `npm run demo`. */

/** The flag's number, or undefined when it is not given; throws an Error naming the flag when `check` refuses it. */
export function numberFlag(name: string, value: string | undefined, check: (n: number) => boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || !check(n)) throw new Error(`--${name}: '${value}' is not valid`);
  return n;
}

/** How many hosts a generated fleet may have. */
export const isHostCount = (n: number) => Number.isInteger(n) && n >= 1 && n <= 100_000;
