import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { type ErrorBody, MAX_BODY_BYTES } from "./respond.ts";

/**
 * The HTTP gate in front of Next.js, for what must be answered before Next.js touches a request:
 * - methods a fetch Request cannot represent (TRACE, TRACK): Next.js throws building its request (a 500);
 * - bodies: Next.js reads every body to its end before it runs the proxy, so a client that declares more than it
 *   sends holds the request open. A body must declare its length, at most MAX_BODY_BYTES, and arrive within
 *   BODY_READ_TIMEOUT_MS;
 * - requests Node.js cannot parse (an unknown method, a broken header), which it would answer with an empty 400.
 * Every answer is the JSON error envelope. Installed once per process by instrumentation.ts.
 */
export const BODY_READ_TIMEOUT_MS = 5_000;
const UNREPRESENTABLE = new Set(["TRACE", "TRACK", "CONNECT"]);

const HEADERS = {
  "content-type": "application/json",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
};

function envelope(code: string, message: string): string {
  return JSON.stringify({ error: { code, message } } satisfies ErrorBody);
}

function refuse(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  extra: Record<string, string> = {},
) {
  if (res.headersSent) return;
  // The body is not read: close the connection rather than let the rest of it be parsed as a next request.
  const body = envelope(code, message);
  res.writeHead(status, {
    ...HEADERS,
    ...extra,
    "content-length": String(Buffer.byteLength(body)),
    connection: "close",
  });
  res.end(body);
}

/** Answers the request itself when it must not reach Next.js; returns false to let it through. */
export function guardRequest(req: IncomingMessage, res: ServerResponse, readTimeoutMs = BODY_READ_TIMEOUT_MS): boolean {
  const method = req.method ?? "";
  if (UNREPRESENTABLE.has(method)) {
    refuse(res, 405, "METHOD_NOT_ALLOWED", `${method} is not allowed.`, { allow: "GET, HEAD, POST, DELETE" });
    return true;
  }
  const declared = req.headers["content-length"];
  const chunked = req.headers["transfer-encoding"] !== undefined;
  if (chunked) {
    refuse(res, 411, "LENGTH_REQUIRED", "A request body must declare its Content-Length (no chunked bodies).");
    return true;
  }
  if (declared === undefined || declared === "0") return false;
  const length = Number(declared);
  if (!Number.isSafeInteger(length) || length < 0) {
    refuse(res, 400, "BAD_REQUEST", "Content-Length is not a number.");
    return true;
  }
  if (length > MAX_BODY_BYTES) {
    refuse(res, 413, "PAYLOAD_TOO_LARGE", `The body is too large (at most ${MAX_BODY_BYTES} bytes).`);
    return true;
  }
  // A body that does not arrive in time: answer 408 and drop the connection, so a slow client holds nothing.
  const timer = setTimeout(() => {
    refuse(res, 408, "REQUEST_TIMEOUT", `The request body did not arrive within ${readTimeoutMs / 1000} s.`);
    // After the answer is out: the socket stays open only for the 408 to be written.
    res.once("finish", () => req.destroy());
  }, readTimeoutMs);
  timer.unref();
  const clear = () => clearTimeout(timer);
  req.once("end", clear);
  req.once("close", clear);
  res.once("close", clear);
  return false;
}

/** Node.js could not parse the request: answer with the envelope instead of an empty 400. */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || (socket as Duplex & { _httpMessage?: unknown })._httpMessage) {
    socket.destroy();
    return;
  }
  const [status, text, code, message] =
    err.code === "ERR_HTTP_REQUEST_TIMEOUT" || err.code === "ERR_HTTP_HEADERS_TIMEOUT"
      ? [408, "Request Timeout", "REQUEST_TIMEOUT", "The request did not arrive in time."]
      : err.code === "HPE_HEADER_OVERFLOW"
        ? [431, "Request Header Fields Too Large", "BAD_REQUEST", "The request's headers are too large."]
        : [400, "Bad Request", "BAD_REQUEST", "The request is not valid HTTP (unknown method or malformed header)."];
  const body = envelope(code, message);
  const head = Object.entries({ ...HEADERS, "content-length": String(Buffer.byteLength(body)), connection: "close" })
    .map(([k, v]) => `${k}: ${v}`)
    .join("\r\n");
  socket.end(`HTTP/1.1 ${status} ${text}\r\n${head}\r\n\r\n${body}`);
}

const INSTALLED = Symbol.for("fleet-doctor.http-guard");

/**
 * Puts the guard in front of every HTTP server of this process (Next.js creates its own and offers no hook for
 * this): wraps http.Server's emit for `request` and, when nobody else listens, `clientError`.
 */
export function installHttpGuard(opts: { readTimeoutMs?: number } = {}): () => void {
  const proto = http.Server.prototype as http.Server & { [INSTALLED]?: boolean };
  if (proto[INSTALLED]) return () => {};
  proto[INSTALLED] = true;
  const emit = proto.emit as (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean;
  proto.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === "request" && guardRequest(args[0] as IncomingMessage, args[1] as ServerResponse, opts.readTimeoutMs))
      return true;
    if (event === "clientError" && this.listenerCount("clientError") === 0) {
      answerClientError(args[0] as NodeJS.ErrnoException, args[1] as Duplex);
      return true;
    }
    return emit.call(this, event, ...args);
  } as typeof proto.emit;
  // For tests, which share a process with other servers: put the original back.
  return () => {
    proto.emit = emit as typeof proto.emit;
    delete proto[INSTALLED];
  };
}
