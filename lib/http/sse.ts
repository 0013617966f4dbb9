import { sleep } from "../scan/pace.ts";
import type { Store } from "../store/store.ts";
import type { StoredEvent } from "../store/types.ts";

const POLL_MS = 250;
const HEARTBEAT_MS = 15_000;
const PAGE = 500;

function frame({ seq, event }: StoredEvent): string {
  return `id: ${seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * Server-Sent Events for one scan: the stored events after `after` first, then new ones as they are stored (read
 * from the store, so a scan run by another process streams too), `id:` = seq. Ends after `scan-finished`, or when
 * the scan has ended and no event is left. `first` is the page already read by the caller (priming: the route
 * checks the scan exists and reads before it commits to a 200).
 */
export function scanEventStream(opts: {
  store: Store;
  scanId: string;
  after: number;
  first: StoredEvent[];
  signal?: AbortSignal;
}): ReadableStream<Uint8Array> {
  const { store, scanId, signal } = opts;
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
            if (e.event.type === "scan-finished") return close();
          }
          if (page.length === 0) {
            const scan = store.getScan(scanId);
            // Ended without a final event (or deleted): nothing more will come.
            if (scan?.status !== "running") {
              page = store.eventsSince(scanId, cursor, PAGE);
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
          page = store.eventsSince(scanId, cursor, PAGE);
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

export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  connection: "keep-alive",
  "x-accel-buffering": "no",
};
