import { sleep } from "../scan/pace.ts";
import type { ActionStore } from "./action-store.ts";
import type { StoredActionEvent } from "./types.ts";

const POLL_MS = 250;
const HEARTBEAT_MS = 15_000;

function frame({ seq, event }: StoredActionEvent): string {
  return `id: ${seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * Server-Sent Events for one action, read from the store (so an action driven by another process, or resumed after
 * a crash, streams too): stored events after `after`, then new ones; `id:` = seq. Ends after `action-finished`.
 */
export function actionEventStream(opts: {
  actions: ActionStore;
  actionId: string;
  after: number;
  first: StoredActionEvent[];
  signal?: AbortSignal;
}): ReadableStream<Uint8Array> {
  const { actions, actionId, signal } = opts;
  const encoder = new TextEncoder();
  let stopped = false;
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      const close = () => {
        if (stopped) return;
        stopped = true;
        try {
          controller.close();
        } catch {
          // closed by the client
        }
      };
      signal?.addEventListener("abort", close, { once: true });
      let cursor = opts.after;
      let page = opts.first;
      let lastWrite = Date.now();
      controller.enqueue(encoder.encode("retry: 2000\n\n"));
      try {
        while (!stopped) {
          for (const e of page) {
            controller.enqueue(encoder.encode(frame(e)));
            cursor = e.seq;
            lastWrite = Date.now();
            if (e.event.type === "action-finished") return close();
          }
          if (page.length === 0) {
            if (!actions.get(actionId)) return close();
            if (Date.now() - lastWrite >= HEARTBEAT_MS) {
              controller.enqueue(encoder.encode(": keep-alive\n\n"));
              lastWrite = Date.now();
            }
            await sleep(POLL_MS, signal).catch(() => {});
          }
          if (stopped) return;
          page = actions.eventsSince(actionId, cursor, 500);
        }
      } catch {
        close();
      }
    },
    cancel() {
      stopped = true;
    },
  });
}
