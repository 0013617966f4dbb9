import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installHttpGuard } from "./http-guard.ts";

// A plain server behind the guard, answering 200 with the body it read: what gets through reached the "app".
let server: http.Server;
let port = 0;
let reached = 0;
let uninstall = () => {};

beforeAll(async () => {
  uninstall = installHttpGuard({ readTimeoutMs: 500 });
  server = http.createServer((req, res) => {
    reached++;
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => res.end(`ok ${body}`));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  uninstall();
  server.closeAllConnections();
  server.close();
});

/** Sends raw bytes and returns the status, the body and how long the answer took. */
async function raw(request: string, timeoutMs = 5_000): Promise<{ status: number; body: string; ms: number }> {
  const started = Date.now();
  const socket = net.connect(port, "127.0.0.1");
  socket.write(request);
  let data = "";
  socket.on("data", (c) => {
    data += c;
  });
  await Promise.race([
    once(socket, "close"),
    new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)),
  ]).finally(() => socket.destroy());
  const [head = "", body = ""] = data.split("\r\n\r\n");
  return { status: Number(head.split(" ")[1]), body, ms: Date.now() - started };
}

const envelope = (body: string) => (JSON.parse(body) as { error: { code: string; message: string } }).error;

describe("the HTTP guard", () => {
  it("lets ordinary requests through", async () => {
    const res = await fetch(`http://127.0.0.1:${port}/api/scans`, { method: "POST", body: "{}" });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ok {}");
  });

  it("answers TRACE with a JSON 405 and never reaches the app", async () => {
    const before = reached;
    const res = await raw("TRACE /api/scans HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    expect(res.status).toBe(405);
    expect(envelope(res.body).code).toBe("METHOD_NOT_ALLOWED");
    expect(reached).toBe(before);
  });

  it.each(["FOO", "TRACK"])("answers an unparsable request (method %s) with a JSON 400", async (method) => {
    const res = await raw(`${method} /api/scans HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(res.status).toBe(400);
    expect(envelope(res.body).code).toBe("BAD_REQUEST");
  });

  it("answers a declared length over the limit with 413 at once, without reading the body", async () => {
    const res = await raw("POST /api/scans HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n{}");
    expect(res.status).toBe(413);
    expect(envelope(res.body).code).toBe("PAYLOAD_TOO_LARGE");
    expect(res.ms).toBeLessThan(400);
  });

  it("answers a body that does not arrive with 408 after the read timeout", async () => {
    const res = await raw("POST /api/scans HTTP/1.1\r\nHost: x\r\nContent-Length: 900000\r\n\r\n{}");
    expect(res.status).toBe(408);
    expect(envelope(res.body).code).toBe("REQUEST_TIMEOUT");
    expect(res.ms).toBeGreaterThanOrEqual(450);
  });

  it("refuses a chunked body (no declared length) with 411, and a bad Content-Length with 400", async () => {
    const chunked = await raw(
      "POST /api/scans HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    );
    expect(chunked.status).toBe(411);
    expect(envelope(chunked.body).code).toBe("LENGTH_REQUIRED");
    const bad = await raw("POST /api/scans HTTP/1.1\r\nHost: x\r\nContent-Length: 1e3\r\n\r\n{}");
    expect(bad.status).toBe(400);
  });
});
