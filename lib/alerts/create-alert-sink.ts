import { randomUUID } from "node:crypto";
import type { AlertKey, AlertStore } from "../store/interfaces.ts";
import { DEFAULT_RETRY, deliver, type Message, type RetryPolicy } from "./deliver.ts";
import { renderJson } from "./render-json.ts";
import { renderSlack } from "./render-slack.ts";
import { SIGNATURE_HEADER, signature, TIMESTAMP_HEADER } from "./sign.ts";
import type { AlertEvent, AlertSink } from "./types.ts";
import type { AlertKind, Webhook } from "./webhook-config.ts";

export type AlertSinkOptions = {
  store: { alerts: Pick<AlertStore, "claim" | "forget" | "recordDelivery"> };
  webhooks: Webhook[];
  /** The HTTP client (the global fetch by default). */
  fetch?: typeof fetch;
  retry?: Partial<RetryPolicy>;
  /** Jitter's source (Math.random by default). */
  random?: () => number;
};

/**
 * The sink `send` hands deliveries to; `settled()` resolves once every delivery begun so far has ended (its last
 * attempt logged): a caller that must know the outcome (a test, a CLI before exit) waits on it.
 */
export type SettlingAlertSink = AlertSink & { settled(): Promise<void> };

const keyOf = (k: AlertKey) => JSON.stringify([k.fleet, k.instanceId, k.verdict]);

/**
 * Alerts to the configured webhooks. `send`: new failures already alerted (the store's claim, atomic across
 * replicas) are dropped; what is left becomes ONE message per webhook (only the kinds it asked for), rendered in its
 * format (Slack, or JSON signed with HMAC-SHA256; lib/alerts/render-*.ts, sign.ts). `send` returns after each
 * message's first attempt; retries go on in the background with backoff (see `settled`). `resolved`: forgets the
 * instances' claims, so their next failure alerts again.
 */
export function createAlertSink(opts: AlertSinkOptions): SettlingAlertSink {
  const policy = { ...DEFAULT_RETRY, ...opts.retry };
  const ctx = {
    store: opts.store.alerts,
    fetch: opts.fetch ?? fetch,
    policy,
    random: opts.random ?? Math.random,
  };
  const pending = new Set<Promise<void>>();

  async function fresh(events: AlertEvent[]): Promise<AlertEvent[]> {
    const failures = events.flatMap((e) => (e.kind === "new-failure" ? [e] : []));
    if (failures.length === 0) return events;
    const claimed = new Set((await ctx.store.claim(failures, new Date().toISOString())).map(keyOf));
    // Each claimed failure once (a batch may repeat one); every other kind passes as it is.
    return events.filter((e) => {
      if (e.kind !== "new-failure") return true;
      return claimed.delete(keyOf(e));
    });
  }

  function message(webhook: Webhook, events: AlertEvent[]): Message {
    const id = randomUUID();
    const kinds = [...new Set(events.map((e) => e.kind))] as AlertKind[];
    return {
      id,
      webhook,
      kinds,
      count: events.length,
      request(): { body: string; headers: Record<string, string> } {
        if (webhook.format === "slack") return { body: renderSlack(events), headers: {} };
        const body = renderJson(id, events, new Date().toISOString());
        const ts = String(Math.floor(Date.now() / 1000));
        return {
          body,
          headers: {
            [TIMESTAMP_HEADER]: ts,
            [SIGNATURE_HEADER]: signature(webhook.secret ?? "", ts, body),
            "X-Fleet-Doctor-Delivery": id,
          },
        };
      },
    };
  }

  return {
    async send(events) {
      const wanted = events.filter((e) => opts.webhooks.some((w) => w.events.includes(e.kind)));
      if (wanted.length === 0) return;
      const kept = await fresh(wanted);
      const firsts: Promise<void>[] = [];
      for (const w of opts.webhooks) {
        const mine = kept.filter((e) => w.events.includes(e.kind));
        if (mine.length === 0) continue;
        const d = deliver(ctx, message(w, mine));
        pending.add(d.done);
        void d.done.finally(() => pending.delete(d.done));
        firsts.push(d.first);
      }
      await Promise.all(firsts);
    },
    async resolved(fleet, instanceIds) {
      if (instanceIds.length > 0) await ctx.store.forget(fleet, instanceIds);
    },
    async settled() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
