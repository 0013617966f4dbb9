/**
 * Test helper (never imported by the app): a real HTTP webhook receiver on a free local port. It records every
 * request (path, headers, body) and answers with the scripted statuses in turn (then 200), so tests wait on what it
 * received, never on sleeps.
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export type Received = { path: string; headers: IncomingHttpHeaders; body: string };
export type Reply = { status: number; headers?: Record<string, string> };

export type WebhookReceiver = {
  /** The URL of `path` on this receiver. */
  url(path: string): string;
  received: Received[];
  /** Replies for the next requests to `path`, in order; once used up, 200. */
  script(path: string, replies: Reply[]): void;
  /** Resolves when at least `n` requests reached `path` (rejects after `timeoutMs`). */
  waitFor(path: string, n: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
};

export async function webhookReceiver(): Promise<WebhookReceiver> {
  const received: Received[] = [];
  const scripts = new Map<string, Reply[]>();
  const waiters = new Set<() => void>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = req.url ?? "/";
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      const reply = scripts.get(path)?.shift() ?? { status: 200 };
      res.writeHead(reply.status, { "content-type": "text/plain", ...reply.headers });
      res.end(reply.status < 300 ? "ok" : "no");
      for (const w of waiters) w();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const at = (path: string) => received.filter((r) => r.path === path);
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    received,
    script: (path, replies) => scripts.set(path, [...replies]),
    waitFor: (path, n, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (at(path).length < n) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(at(path));
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${path}: ${at(path).length} of ${n} requests after ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
