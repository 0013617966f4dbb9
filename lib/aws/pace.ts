/**
 * Spaces calls at most `ratePerSecond` apart (a token bucket of depth one): SSM publishes no quotas, so the scan
 * stays under a configured rate instead of leaning on retries. `take` resolves when the caller may go.
 */
export function pacer(ratePerSecond: number) {
  const gapMs = 1000 / ratePerSecond;
  let next = 0;
  return {
    async take(signal?: AbortSignal): Promise<void> {
      const now = Date.now();
      const at = Math.max(now, next);
      next = at + gapMs;
      if (at > now) await sleep(at - now, signal);
      signal?.throwIfAborted();
    },
  };
}

/** setTimeout as a promise that rejects with the signal's reason when aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
