import type { ActionAuditStore, Store } from "../store/interfaces.ts";

/**
 * Work in this process wakes its streams at once (the store's in-process signal); this slower poll is only for
 * writers in another process (the CLI, another server), and to notice an owner that died (its lease expired).
 */
const POLL_MS = 1000;
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
 * `subscribe` wakes the stream when this process stores an event; otherwise it looks again every POLL_MS.
 */
export function storedEventStream(opts: {
  after: number;
  first: Stored[];
  read: (cursor: number, limit: number) => Promise<Stored[]>;
  isFinal: (type: string) => boolean;
  ended: () => Promise<boolean>;
  subscribe: (wake: () => void) => () => void;
  signal?: AbortSignal;
}): ReadableStream<Uint8Array> {
  const { read, isFinal, ended, subscribe, signal } = opts;
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
      // Set by an event stored in this process since the last read: read again at once instead of waiting.
      let woken = false;
      let wakeWaiter: (() => void) | undefined;
      const unsubscribe = subscribe(() => {
        woken = true;
        wakeWaiter?.();
      });
      const pause = () =>
        new Promise<void>((resolve) => {
          if (woken || stopped) return resolve();
          const timer = setTimeout(done, POLL_MS);
          const onAbort = () => done();
          signal?.addEventListener("abort", onAbort, { once: true });
          wakeWaiter = done;
          function done() {
            clearTimeout(timer);
            signal?.removeEventListener("abort", onAbort);
            wakeWaiter = undefined;
            resolve();
          }
        });
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
            if (await ended()) {
              page = await read(cursor, PAGE);
              if (page.length === 0) return close();
              continue;
            }
            if (Date.now() - lastWrite >= HEARTBEAT_MS) {
              controller.enqueue(encoder.encode(": keep-alive\n\n"));
              lastWrite = Date.now();
            }
            await pause();
          }
          if (stopped) return;
          woken = false;
          page = await read(cursor, PAGE);
        }
      } catch {
        close();
      } finally {
        unsubscribe();
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
    // getScan also ends a scan whose owner died (lease expired): its final event then closes this stream.
    ended: async () => (await store.getScan(scanId))?.status !== "running",
    subscribe: (wake) => store.onScanEvent(scanId, wake),
  });
}

/** One action's events: ends after `action-finished`, or if the action is gone. */
export function actionEventStream(opts: {
  actions: ActionAuditStore;
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
    ended: async () => !(await actions.get(actionId)),
    subscribe: (wake) => actions.onActionEvent(actionId, wake),
  });
}

export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  connection: "keep-alive",
  "x-accel-buffering": "no",
};
