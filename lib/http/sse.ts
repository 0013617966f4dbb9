import type { ActionStore } from "../actions/action-store.ts";
import { sleep } from "../aws/pace.ts";
import type { Store } from "../store/store.ts";

const POLL_MS = 250;
const HEARTBEAT_MS = 15_000;
const PAGE = 500;

type Stored = { seq: number; event: { type: string } };

function frame({ seq, event }: Stored): string {
  return `id: ${seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * Server-Sent Events over events stored with a sequence number: the page the caller already read (`first`, so the
 * route can check the subject exists before it commits to a 200), then new events as they are stored, read back
 * from the store so work driven by another process, or resumed after a crash, streams too. `id:` is the seq, so
 * a browser resumes with Last-Event-ID. Ends after the final event, or once `ended()` says nothing more will come.
 */
export function storedEventStream(opts: {
  after: number;
  first: Stored[];
  read: (cursor: number, limit: number) => Stored[];
  isFinal: (type: string) => boolean;
  ended: () => boolean;
  signal?: AbortSignal;
}): ReadableStream<Uint8Array> {
  const { read, isFinal, ended, signal } = opts;
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
          // already closed by the client
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
            if (isFinal(e.event.type)) return close();
          }
          if (page.length === 0) {
            // Ended without a final event (or deleted): drain what is left, then stop.
            if (ended()) {
              page = read(cursor, PAGE);
              if (page.length === 0) return close();
              continue;
            }
            if (Date.now() - lastWrite >= HEARTBEAT_MS) {
              controller.enqueue(encoder.encode(": keep-alive\n\n"));
              lastWrite = Date.now();
            }
            await sleep(POLL_MS, signal).catch(() => {});
          }
          if (stopped) return;
          page = read(cursor, PAGE);
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

/** One scan's events: ends after `scan-finished`, or when the scan is no longer running. */
export function scanEventStream(opts: {
  store: Store;
  scanId: string;
  after: number;
  first: Stored[];
  signal?: AbortSignal;
}): ReadableStream<Uint8Array> {
  const { store, scanId } = opts;
  return storedEventStream({
    ...opts,
    read: (cursor, limit) => store.eventsSince(scanId, cursor, limit),
    isFinal: (type) => type === "scan-finished",
    ended: () => store.getScan(scanId)?.status !== "running",
  });
}

/** One action's events: ends after `action-finished`, or if the action is gone. */
export function actionEventStream(opts: {
  actions: ActionStore;
  actionId: string;
  after: number;
  first: Stored[];
  signal?: AbortSignal;
}): ReadableStream<Uint8Array> {
  const { actions, actionId } = opts;
  return storedEventStream({
    ...opts,
    read: (cursor, limit) => actions.eventsSince(actionId, cursor, limit),
    isFinal: (type) => type === "action-finished",
    ended: () => !actions.get(actionId),
  });
}

export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  connection: "keep-alive",
  "x-accel-buffering": "no",
};
