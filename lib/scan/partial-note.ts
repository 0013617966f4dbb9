/**
 * "12 unresolved (…); 3 not probed (…)": what a `partial` scan left without a true result, for the Scans page,
 * the overview and the CLI alike. Pure and client-safe.
 */
export function partialNote(unresolved: number, notSent: number): string {
  return [
    unresolved > 0 && `${unresolved} unresolved (SSM had not ended the probe by its deadline)`,
    notSent > 0 && `${notSent} not probed (SendCommand failed)`,
  ]
    .filter(Boolean)
    .join("; ");
}
