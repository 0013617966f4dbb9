import { setTimeout as sleep } from "node:timers/promises";
import type { AlertStore } from "../store/interfaces.ts";
import { safeError, scrub } from "./safe-error.ts";
import type { AlertDelivery } from "./types.ts";
import type { AlertKind, Webhook } from "./webhook-config.ts";

/** How hard one message is pushed to one webhook. */
export type RetryPolicy = {
  /** Attempts in all, the first included. */
  attempts: number;
  /** The first retry's delay before jitter; each next one doubles, up to `maxMs`. */
  baseMs: number;
  maxMs: number;
  /** One attempt's limit (AbortSignal.timeout). */
  timeoutMs: number;
};

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseMs: 1000, maxMs: 30_000, timeoutMs: 10_000 };

/** One message for one webhook: its body and headers are made per attempt (a signature carries its time). */
export type Message = {
  id: string;
  webhook: Webhook;
  kinds: AlertKind[];
  count: number;
  request(): { body: string; headers: Record<string, string> };
};

type Outcome = { ok: boolean; retryable: boolean; httpStatus?: number; error?: string; retryAfterMs?: number };

/** Retry-After in seconds or as an HTTP date, in ms from now; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Exponential backoff with jitter ("equal jitter": half fixed, half random), or the server's Retry-After. */
export function backoffMs(retry: number, policy: RetryPolicy, random: () => number, retryAfter?: number): number {
  if (retryAfter !== undefined) return Math.min(retryAfter, policy.maxMs);
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** (retry - 1));
  return Math.round(exp / 2 + (random() * exp) / 2);
}

async function attempt(f: typeof fetch, m: Message, timeoutMs: number): Promise<Outcome> {
  const { body, headers } = m.request();
  try {
    const res = await f(m.webhook.url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "fleet-doctor-alerts/1", ...headers },
      body,
      // A redirect would carry a signed body somewhere nobody configured: answered as a failure instead.
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    // The answer's body is never read (nor logged): only its status matters.
    await res.body?.cancel().catch(() => {});
    if (res.status >= 200 && res.status < 300) return { ok: true, retryable: false, httpStatus: res.status };
    const retryable = res.status === 429 || res.status >= 500;
    return {
      ok: false,
      retryable,
      httpStatus: res.status,
      error: `HTTP ${res.status}`,
      retryAfterMs: retryable ? retryAfterMs(res.headers.get("retry-after")) : undefined,
    };
  } catch (e) {
    return { ok: false, retryable: true, error: safeError(e, timeoutMs) };
  }
}

export type DeliverContext = {
  store: Pick<AlertStore, "recordDelivery">;
  fetch: typeof fetch;
  policy: RetryPolicy;
  random: () => number;
};

/**
 * Delivers one message: attempts until one succeeds, one fails for good (a 4xx other than 429, a redirect) or the
 * attempts run out, recording each in the delivery log under the webhook's name. `first` settles after the first
 * attempt is recorded, `done` after the last.
 */
export function deliver(ctx: DeliverContext, m: Message): { first: Promise<void>; done: Promise<void> } {
  let firstDone: () => void = () => {};
  const first = new Promise<void>((resolve) => {
    firstDone = resolve;
  });
  const done = (async () => {
    try {
      for (let n = 1; ; n++) {
        const o = await attempt(ctx.fetch, m, ctx.policy.timeoutMs);
        const last = o.ok || !o.retryable || n >= ctx.policy.attempts;
        const error = o.error === undefined ? undefined : scrub(o.error, m.webhook);
        const row: AlertDelivery = {
          id: `${m.id}.${n}`,
          webhook: m.webhook.name,
          kinds: m.kinds,
          count: m.count,
          status: o.ok ? "delivered" : last ? "failed" : "retrying",
          attempts: n,
          ...(o.httpStatus !== undefined ? { httpStatus: o.httpStatus } : {}),
          ...(error !== undefined ? { error } : {}),
          at: new Date().toISOString(),
        };
        await ctx.store.recordDelivery(row).catch((e: unknown) => {
          console.error(`[fleet-doctor] could not log alert delivery ${row.id}:`, (e as Error).name);
        });
        if (row.status === "failed") {
          console.warn(
            `[fleet-doctor] alert ${m.id} to webhook '${m.webhook.name}' failed after ${n} attempt(s): ${error}`,
          );
        }
        firstDone();
        if (last) return;
        await sleep(backoffMs(n, ctx.policy, ctx.random, o.retryAfterMs));
      }
    } catch (e) {
      // Nothing above should throw (attempts and the log catch their own errors); if it does, `done` still settles
      // and the reason is named without its message (it could quote the webhook).
      console.error(`[fleet-doctor] alert ${m.id} to webhook '${m.webhook.name}' stopped:`, (e as Error)?.name);
    } finally {
      firstDone();
    }
  })();
  return { first, done };
}
