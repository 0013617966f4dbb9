/**
 * How long to wait after `failures` looks in a row failed: exponential from `baseMs`, capped at `capMs`, with full
 * jitter (a random share of it, never under half) so that replicas or tools throttled together do not retry in step.
 */
export function backoffMs(failures: number, o: { baseMs: number; capMs: number; random?: () => number }): number {
  const exp = Math.min(o.capMs, o.baseMs * 2 ** Math.max(0, failures - 1));
  const r = (o.random ?? Math.random)();
  return Math.round(exp / 2 + (exp / 2) * r);
}
