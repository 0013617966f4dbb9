/**
 * The per-host endpoints the fleet serves under /_hosts/<id>/: instance metadata (IMDSv2, as the host's IMDS mode
 * allows), the agent's introspection API (only while registered), and the `systemctl` / `rpm` shims.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Host } from "./host.ts";
import { df, dpkgQuery, rpm, systemctl } from "./systemctl.ts";

const NOT_FOUND_HTML = `<?xml version="1.0" encoding="iso-8859-1"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
\t"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
 <head>
  <title>404 - Not Found</title>
 </head>
 <body>
  <h1>404 - Not Found</h1>
 </body>
</html>
`;

const UNAUTHORIZED_HTML = NOT_FOUND_HTML.replaceAll("404 - Not Found", "401 - Unauthorized");
const BAD_REQUEST_HTML = NOT_FOUND_HTML.replaceAll("404 - Not Found", "400 - Bad Request");

export type HostHttpContext = {
  host(id: string): Host | undefined;
  /** Sockets held open for hosts whose IMDS is off (`hang`), destroyed when the fleet closes. */
  held: Set<Socket>;
};

function imdsReply(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) {
  res.writeHead(status, {
    "Content-Type": status === 200 ? "text/plain" : "text/html",
    "Content-Length": String(Buffer.byteLength(body)),
    Server: "EC2ws",
    Connection: "close",
    ...headers,
  });
  res.end(body);
}

/** Looks like a connection refused as far as the connection allows: the socket closes with no answer. */
function refuse(req: IncomingMessage) {
  req.socket.destroy();
}

function hold(req: IncomingMessage, ctx: HostHttpContext) {
  const socket = req.socket;
  ctx.held.add(socket);
  socket.on("close", () => ctx.held.delete(socket));
  // Never answer; give up after ten minutes so nothing leaks forever.
  socket.setTimeout(600_000, () => socket.destroy());
}

function metadata(host: Host, path: string, now: number): string | undefined {
  const ctx = host.ctx;
  const hostname = `ip-${host.privateIp.replaceAll(".", "-")}.${ctx.region === "us-east-1" ? "ec2.internal" : `${ctx.region}.compute.internal`}`;
  const simple: Record<string, string> = {
    "meta-data/instance-id": host.id,
    "meta-data/instance-type": host.instanceType,
    "meta-data/ami-id": host.amiId,
    "meta-data/local-ipv4": host.privateIp,
    "meta-data/local-hostname": hostname,
    "meta-data/hostname": hostname,
    "meta-data/placement/availability-zone": host.availabilityZone,
    "meta-data/placement/region": ctx.region,
    "meta-data/iam/info": JSON.stringify({
      Code: "Success",
      LastUpdated: `${new Date(now).toISOString().slice(0, 19)}Z`,
      InstanceProfileArn: `arn:aws:iam::${ctx.accountId}:instance-profile/ecsInstanceRole`,
      InstanceProfileId: "AIPAEXAMPLEPROFILE0001",
    }),
    "dynamic/instance-identity/document": JSON.stringify(
      {
        accountId: ctx.accountId,
        architecture: host.spec.arch === "aarch64" ? "arm64" : "x86_64",
        availabilityZone: host.availabilityZone,
        imageId: host.amiId,
        instanceId: host.id,
        instanceType: host.instanceType,
        pendingTime: `${new Date(host.launchedAt).toISOString().slice(0, 19)}Z`,
        privateIp: host.privateIp,
        region: ctx.region,
        version: "2017-09-30",
      },
      null,
      2,
    ),
  };
  if (path in simple) return simple[path];
  if (path === "meta-data/autoscaling/target-lifecycle-state") return host.lifecycleAt(now);
  if (path === "meta-data/" || path === "meta-data")
    return [
      "ami-id",
      "autoscaling/",
      "hostname",
      "iam/",
      "instance-id",
      "instance-type",
      "local-hostname",
      "local-ipv4",
      "placement/",
    ].join("\n");
  if (path === "meta-data/autoscaling/" || path === "meta-data/autoscaling")
    return host.lifecycleAt(now) === undefined ? undefined : "target-lifecycle-state";
  return undefined;
}

function serveImds(host: Host, req: IncomingMessage, res: ServerResponse, rest: string, ctx: HostHttpContext) {
  const mode = host.spec.imds;
  if (mode === "hang") return hold(req, ctx);
  if (mode === "refuse") return refuse(req);
  const now = host.sync();
  if (rest === "latest/api/token") {
    if (req.method !== "PUT") return imdsReply(res, 405, "", { Allow: "OPTIONS, PUT" });
    if (req.headers["x-forwarded-for"]) return imdsReply(res, 403, "");
    const ttlText = req.headers["x-aws-ec2-metadata-token-ttl-seconds"];
    const ttl = Number(ttlText);
    if (typeof ttlText !== "string" || !/^\d+$/.test(ttlText) || ttl < 1 || ttl > 21600)
      return imdsReply(res, 400, BAD_REQUEST_HTML);
    const token = randomBytes(42).toString("base64");
    host.tokens.set(token, now + ttl * 1000);
    return imdsReply(res, 200, token, { "X-Aws-Ec2-Metadata-Token-Ttl-Seconds": String(ttl) });
  }
  if (req.method !== "GET" && req.method !== "HEAD")
    return imdsReply(res, 405, "", { Allow: "OPTIONS, GET, HEAD, PUT" });
  const token = req.headers["x-aws-ec2-metadata-token"];
  if (typeof token === "string") {
    const exp = host.tokens.get(token);
    if (exp === undefined || exp < now) return imdsReply(res, 401, UNAUTHORIZED_HTML);
  } else if (mode === "required") {
    return imdsReply(res, 401, UNAUTHORIZED_HTML);
  }
  if (!rest.startsWith("latest/")) return imdsReply(res, 404, NOT_FOUND_HTML);
  const body = metadata(host, rest.slice("latest/".length), now);
  if (body === undefined) return imdsReply(res, 404, NOT_FOUND_HTML);
  return imdsReply(res, 200, body);
}

export function serveAgent(host: Host, req: IncomingMessage, res: ServerResponse, rest: string) {
  host.sync();
  const answer = host.agent.introspection();
  // Introspection listens only once the agent registered: otherwise the connection is refused.
  if (!answer) return refuse(req);
  let body: string;
  let status = 200;
  if (rest === "v1/metadata") body = JSON.stringify(answer);
  else if (rest === "v1/tasks") body = JSON.stringify({ Tasks: [] });
  else {
    status = 404;
    body = "404 page not found\n";
  }
  res.writeHead(status, {
    "Content-Type": status === 200 ? "application/json" : "text/plain; charset=utf-8",
    "Content-Length": String(Buffer.byteLength(body)),
  });
  res.end(req.method === "HEAD" ? undefined : body);
}

async function readBody(req: IncomingMessage, limit = 1 << 20): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new Error("body too large");
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

async function serveShim(host: Host, req: IncomingMessage, res: ServerResponse, tool: string) {
  let args: string[];
  try {
    args = new URLSearchParams(await readBody(req)).getAll("a");
  } catch {
    res.writeHead(413).end();
    return;
  }
  const now = host.sync();
  const out =
    tool === "systemctl"
      ? systemctl(host, args, now)
      : tool === "df"
        ? df(host, args)
        : tool === "dpkg-query"
          ? dpkgQuery(host, args)
          : rpm(host, args);
  host.afterChange();
  const body = `${out.code} ${Buffer.byteLength(out.stdout)}\n${out.stdout}${out.stderr}`;
  res.writeHead(200, { "Content-Type": "text/plain", "Content-Length": String(Buffer.byteLength(body)) });
  res.end(body);
}

/** Returns false when the path is not under /_hosts/. */
export function handleHostRequest(req: IncomingMessage, res: ServerResponse, ctx: HostHttpContext): boolean {
  const url = req.url ?? "/";
  const m = /^\/_hosts\/([^/?]+)\/(imds|agent|shim)(?:\/([^?]*))?(?:\?.*)?$/.exec(url);
  if (!url.startsWith("/_hosts/")) return false;
  const host = m ? ctx.host(decodeURIComponent(m[1]!)) : undefined;
  if (!m || !host) {
    const body = JSON.stringify({ error: { code: "NOT_FOUND", message: `no such host endpoint: ${url}` } });
    res.writeHead(404, { "Content-Type": "application/json" }).end(body);
    return true;
  }
  const rest = m[3] ?? "";
  if (m[2] === "imds") serveImds(host, req, res, rest, ctx);
  else if (m[2] === "agent") serveAgent(host, req, res, rest);
  else if (rest === "systemctl" || rest === "rpm" || rest === "df" || rest === "dpkg-query") {
    serveShim(host, req, res, rest).catch(() => res.destroy());
  } else res.writeHead(404).end();
  return true;
}
