/**
 * The simulator's HTTP face on one port: SSM, ECS and Organizations over awsJson1_1 (requests with `X-Amz-Target`),
 * Auto Scaling and STS over awsQuery (form bodies with `Action=`), the control API under /_sim/ and the hosts' own
 * endpoints (IMDS, introspection) under /_hosts/ (/_fleet/<account>/<region>/_hosts/ for the other fleets of a
 * multi-account scenario). Whatever arrives, the answer is AWS-shaped: never a crash, a stack or HTML.
 *
 * Every AWS request is answered by one fleet: the one of its caller's account (the access key's: a key from the
 * simulator's own AssumeRole belongs to the role's account, any other to the default account) and of the region of
 * its signing scope. A scenario without accounts has one fleet, which answers everything.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { ASG_OPERATIONS } from "./autoscaling/operations.ts";
import { type ControlRuntime, handleControl } from "./control.ts";
import { ECS_OPERATIONS, ECS_TARGET_PREFIX } from "./ecs/index.ts";
import type { Faults } from "./faults.ts";
import type { Directory, Fleet } from "./fleet-types.ts";
import {
  ORGANIZATIONS_OPERATIONS,
  ORGANIZATIONS_TARGET_PREFIX,
  organizationsErrorExtra,
} from "./organizations/index.ts";
import { type Caller, signingScope } from "./protocol/caller.ts";
import type { CallLog, CallService } from "./protocol/calls.ts";
import { AwsError } from "./protocol/errors.ts";
import type { Body } from "./protocol/input.ts";
import { QueryParams, queryError, queryResponse } from "./protocol/query.ts";
import { SSM_OPERATIONS } from "./ssm/index.ts";
import type { CommandStore } from "./ssm/invocations.ts";
import { STS_NAMESPACE, STS_OPERATIONS, STS_VERSION } from "./sts/index.ts";
import type { Sessions } from "./sts/sessions.ts";

/** Requests larger than this are refused (413) without being parsed. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Beyond this the connection is dropped instead of drained. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;
const ASG_NAMESPACE = "http://autoscaling.amazonaws.com/doc/2011-01-01/";
const JSON_TYPE = "application/x-amz-json-1.1";

export interface SimRuntime extends ControlRuntime {
  /** The default account: that of every access key the simulator's STS did not issue. */
  readonly account: string;
  /** The default fleet and its commands (the scenario's own account and region). */
  fleet(): Fleet;
  store(): CommandStore;
  /** The region of requests that carry no signing scope (the scenario's). */
  region(): string;
  /** The fleet answering an account and region: an empty one (no hosts) when the scenario has none there. */
  at(account: string, region: string): { fleet: Fleet; store: CommandStore };
  /** Accounts, roles and organization of the scenario (undefined for fleets that have none). */
  directory(): Directory | undefined;
  sessions: Sessions;
  faults: Faults;
  calls: CallLog;
}

type BodyResult = { ok: true; body: Buffer } | { ok: false };

/** Reads the body up to `max` bytes; past it, drains (or drops) the rest and reports it as too large. */
export function readBody(req: IncomingMessage, max = MAX_BODY_BYTES): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_DRAIN_BYTES) {
        req.destroy();
        return;
      }
      if (size > max) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    req.on("end", () => resolve(tooLarge ? { ok: false } : { ok: true, body: Buffer.concat(chunks) }));
    req.on("error", () => resolve({ ok: false }));
    req.on("close", () =>
      resolve(tooLarge || !req.complete ? { ok: false } : { ok: true, body: Buffer.concat(chunks) }),
    );
  });
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { ...headers, "Content-Length": String(Buffer.byteLength(body)) });
  res.end(body);
}

export function sendJsonError(
  res: ServerResponse,
  requestId: string,
  code: string,
  message: string,
  status = 400,
  extra?: Record<string, string>,
): void {
  send(
    res,
    status,
    { "Content-Type": JSON_TYPE, "x-amzn-RequestId": requestId, "x-amzn-ErrorType": code },
    JSON.stringify({ __type: code, message, ...extra }),
  );
}

function sendQueryError(
  res: ServerResponse,
  requestId: string,
  code: string,
  message: string,
  status = 400,
  namespace = ASG_NAMESPACE,
): void {
  send(
    res,
    status,
    { "Content-Type": "text/xml", "x-amzn-RequestId": requestId },
    queryError(namespace, requestId, code, message, status),
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Applies the configured faults to one call; returns the AWS error to answer with, if any. */
async function applyFaults(
  rt: SimRuntime,
  op: string,
  service: CallService,
  caller: Caller,
): Promise<AwsError | undefined> {
  const decision = rt.faults.decide(op);
  if (decision.latencyMs > 0) await sleep(decision.latencyMs);
  if (decision.outcome === "denied") {
    const message = `User: ${caller.arn} is not authorized to perform: ${service}:${op}`;
    // awsJson services name it AccessDeniedException (400); the query ones AccessDenied (403).
    return service === "ssm" || service === "ecs" || service === "organizations"
      ? new AwsError("AccessDeniedException", message, 400)
      : new AwsError("AccessDenied", message, 403);
  }
  if (decision.outcome === "throttle")
    return new AwsError(
      service === "ssm" || service === "ecs"
        ? "ThrottlingException"
        : service === "organizations"
          ? "TooManyRequestsException"
          : "Throttling",
      "Rate exceeded",
    );
  if (decision.outcome === "server-error")
    return service === "ssm"
      ? new AwsError("InternalServerError", "An internal error occurred.", 500)
      : service === "ecs"
        ? new AwsError("ServerException", "An internal error occurred.", 500)
        : service === "organizations"
          ? new AwsError(
              "ServiceException",
              "AWS Organizations can't complete your request because of an internal service error.",
              500,
            )
          : new AwsError("InternalFailure", "An internal error occurred.", 500);
  if (decision.outcome === "unavailable")
    return new AwsError("ServiceUnavailable", "Service is unavailable. Try again later.", 503);
  return undefined;
}

function internal(e: unknown, requestId: string): AwsError {
  console.error(`[sim] request ${requestId} failed:`, e);
  return new AwsError("InternalServerError", `An internal error occurred (request ${requestId}).`, 500);
}

const JSON_SERVICES: Record<string, "ssm" | "ecs" | "organizations"> = {
  AmazonSSM: "ssm",
  [ECS_TARGET_PREFIX]: "ecs",
  [ORGANIZATIONS_TARGET_PREFIX]: "organizations",
};
const JSON_OPERATIONS = { ssm: SSM_OPERATIONS, ecs: ECS_OPERATIONS, organizations: ORGANIZATIONS_OPERATIONS };

/**
 * awsJson1_1 by target prefix: SSM (`AmazonSSM.<Op>`), ECS (`AmazonEC2ContainerServiceV20141113.<Op>`) and
 * Organizations (`AWSOrganizationsV20161128.<Op>`).
 */
async function handleJson(
  rt: SimRuntime,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  body: Buffer,
  caller: Caller,
): Promise<void> {
  const target = String(req.headers["x-amz-target"]);
  const m = /^([A-Za-z0-9]+)\.([A-Za-z]+)$/.exec(target);
  const service = (m && Object.hasOwn(JSON_SERVICES, m[1]!) && JSON_SERVICES[m[1]!]) || "ssm";
  const op = m && Object.hasOwn(JSON_SERVICES, m[1]!) ? m[2] : undefined;
  const known = JSON_OPERATIONS[service];
  if (!op || !Object.hasOwn(known, op)) {
    return sendJsonError(
      res,
      requestId,
      "UnknownOperationException",
      `The operation ${op ?? target} is not supported by this simulator.`,
    );
  }
  const type = String(req.headers["content-type"] ?? "");
  if (!type.toLowerCase().startsWith("application/x-amz-json-1.")) {
    return sendJsonError(
      res,
      requestId,
      "UnsupportedMediaTypeException",
      `Content-Type '${type}' is not supported; use ${JSON_TYPE}.`,
      415,
    );
  }
  let params: Body;
  try {
    const text = body.toString("utf8");
    const parsed: unknown = text.trim() === "" ? {} : JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
    params = parsed as Body;
  } catch {
    return sendJsonError(res, requestId, "SerializationException", "The request body is not a valid JSON object.");
  }
  const call = rt.calls.add(service, op, params, { account: caller.account, region: caller.region });
  let result: unknown;
  let error = await applyFaults(rt, op, service, caller);
  if (!error) {
    try {
      if (service === "organizations")
        result = ORGANIZATIONS_OPERATIONS[op]!(params, { caller, directory: rt.directory() });
      else {
        const { fleet, store } = rt.at(caller.account, caller.region);
        result =
          service === "ecs"
            ? ECS_OPERATIONS[op]!(params, fleet)
            : SSM_OPERATIONS[op]!(params, { fleet, store, region: caller.region });
      }
    } catch (e) {
      error = e instanceof AwsError ? e : internal(e, requestId);
      if (service === "ecs" && error.code === "InternalServerError")
        error = new AwsError("ServerException", error.message, 500);
    }
  }
  if (error) {
    call.status = error.status;
    call.error = error.code;
    return sendJsonError(res, requestId, error.code, error.message, error.status, organizationsErrorExtra(error));
  }
  call.status = 200;
  send(res, 200, { "Content-Type": JSON_TYPE, "x-amzn-RequestId": requestId }, JSON.stringify(result));
}

async function handleQuery(
  rt: SimRuntime,
  res: ServerResponse,
  requestId: string,
  body: Buffer,
  caller: Caller,
): Promise<void> {
  const params = QueryParams.parse(body.toString("utf8"));
  const op = params.str("Action");
  if (!op) return sendQueryError(res, requestId, "MissingAction", "The request must contain the parameter Action.");
  if (Object.hasOwn(STS_OPERATIONS, op) || params.str("Version") === STS_VERSION)
    return handleSts(rt, res, requestId, op, params, caller);
  if (!Object.hasOwn(ASG_OPERATIONS, op))
    return sendQueryError(res, requestId, "InvalidAction", `The action ${op} is not valid for this web service.`);
  const version = params.str("Version");
  if (version !== undefined && version !== "2011-01-01")
    return sendQueryError(res, requestId, "InvalidAction", `The action ${op} is not valid for version ${version}.`);
  const call = rt.calls.add("autoscaling", op, params.toJSON(), { account: caller.account, region: caller.region });
  let error = await applyFaults(rt, op, "autoscaling", caller);
  let result: ReturnType<(typeof ASG_OPERATIONS)[string]> = null;
  if (!error) {
    try {
      result = ASG_OPERATIONS[op]!(params, rt.at(caller.account, caller.region).fleet);
    } catch (e) {
      error = e instanceof AwsError ? e : internal(e, requestId);
      if (error.code === "InternalServerError") error = new AwsError("InternalFailure", error.message, 500);
    }
  }
  if (error) {
    call.status = error.status;
    call.error = error.code;
    return sendQueryError(res, requestId, error.code, error.message, error.status);
  }
  call.status = 200;
  send(
    res,
    200,
    { "Content-Type": "text/xml", "x-amzn-RequestId": requestId },
    queryResponse(op, ASG_NAMESPACE, requestId, result),
  );
}

/** STS shares awsQuery with Auto Scaling; its calls are told apart by operation and Version. */
async function handleSts(
  rt: SimRuntime,
  res: ServerResponse,
  requestId: string,
  op: string,
  params: QueryParams,
  caller: Caller,
): Promise<void> {
  const error = (code: string, message: string, status = 400) =>
    sendQueryError(res, requestId, code, message, status, STS_NAMESPACE);
  if (!Object.hasOwn(STS_OPERATIONS, op))
    return error("InvalidAction", `The action ${op} is not valid for this web service.`);
  const version = params.str("Version");
  if (version !== undefined && version !== STS_VERSION)
    return error("InvalidAction", `The action ${op} is not valid for version ${version}.`);
  // The log shows what was asked, not the secrets of what was answered.
  const call = rt.calls.add("sts", op, params.toJSON(), { account: caller.account, region: caller.region });
  let failure = await applyFaults(rt, op, "sts", caller);
  let result: ReturnType<(typeof STS_OPERATIONS)[string]> | undefined;
  if (!failure) {
    try {
      result = STS_OPERATIONS[op]!(params, { caller, directory: rt.directory(), sessions: rt.sessions });
    } catch (e) {
      failure = e instanceof AwsError ? e : internal(e, requestId);
      if (failure.code === "InternalServerError") failure = new AwsError("InternalFailure", failure.message, 500);
    }
  }
  if (failure) {
    call.status = failure.status;
    call.error = failure.code;
    return error(failure.code, failure.message, failure.status);
  }
  call.status = 200;
  send(
    res,
    200,
    { "Content-Type": "text/xml", "x-amzn-RequestId": requestId },
    queryResponse(op, STS_NAMESPACE, requestId, result ?? null),
  );
}

async function route(rt: SimRuntime, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = randomUUID();
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const path = url.pathname;

  if (path.startsWith("/_hosts/")) {
    if (rt.fleet().handle(req, res)) return;
    return sendJsonError(res, requestId, "NotFound", `No host endpoint at ${path}.`, 404);
  }
  // Another fleet's hosts: their own prefix, so one instance id in two accounts is two hosts.
  const other = FLEET_HOSTS.exec(path);
  if (other) {
    const entry = rt.fleets().find((f) => f.account === other[1] && f.region === other[2]);
    req.url = (req.url ?? "/").slice(`/_fleet/${other[1]}/${other[2]}`.length);
    if (entry?.fleet.handle(req, res)) return;
    return sendJsonError(res, requestId, "NotFound", `No host endpoint at ${path}.`, 404);
  }

  const read = await readBody(req);
  if (!read.ok) {
    res.setHeader("Connection", "close");
    const limit = `Request body is larger than ${MAX_BODY_BYTES} bytes.`;
    const form = String(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded");
    return form
      ? sendQueryError(res, requestId, "RequestEntityTooLarge", limit, 413)
      : sendJsonError(res, requestId, "RequestEntityTooLargeException", limit, 413);
  }

  if (path.startsWith("/_sim/") || path === "/_sim") return handleControl(rt, req, res, url, read.body, requestId);

  if (path !== "/" || req.method !== "POST") {
    return sendJsonError(
      res,
      requestId,
      "UnknownOperationException",
      `No AWS operation is served at ${req.method} ${path}.`,
      path === "/" ? 400 : 404,
    );
  }
  const json = req.headers["x-amz-target"] !== undefined;
  const type = String(req.headers["content-type"] ?? "").toLowerCase();
  const form = !json && type.startsWith("application/x-www-form-urlencoded");
  const who = callerOf(rt, signingScope(req, url));
  if ("refused" in who) {
    const [code, message] =
      who.refused === "expired"
        ? [json ? "ExpiredTokenException" : "ExpiredToken", "The security token included in the request is expired"]
        : [
            json ? "UnrecognizedClientException" : "InvalidClientTokenId",
            "The security token included in the request is invalid.",
          ];
    return json
      ? sendJsonError(res, requestId, code, message, 400)
      : sendQueryError(res, requestId, code, message, 403, STS_NAMESPACE);
  }
  if (json) return handleJson(rt, req, res, requestId, read.body, who);
  if (form) return handleQuery(rt, res, requestId, read.body, who);
  return sendJsonError(
    res,
    requestId,
    "UnknownOperationException",
    "The request names no operation: send X-Amz-Target (awsJson1_1) or a form body with Action= (awsQuery).",
  );
}

const FLEET_HOSTS = /^\/_fleet\/(\d{12})\/([a-z0-9-]+)\/_hosts\//;

/**
 * The caller of a request from its signing scope: a session the simulator's STS issued (its account, if its
 * token matches and it has not expired), else the default account's user. The region is the scope's.
 */
function callerOf(rt: SimRuntime, scope: ReturnType<typeof signingScope>): Caller | { refused: "expired" | "invalid" } {
  const region = scope.region ?? rt.region();
  const session = rt.sessions.get(scope.accessKeyId);
  if (session) {
    if (scope.sessionToken !== session.sessionToken) return { refused: "invalid" };
    if (session.expiresAt.getTime() <= Date.now()) return { refused: "expired" };
    return {
      account: session.account,
      region,
      arn: session.arn,
      userId: `${session.roleId}:${session.sessionName}`,
      session,
    };
  }
  return {
    account: rt.account,
    region,
    arn: `arn:aws:iam::${rt.account}:user/fleet-doctor-sim`,
    userId: "AIDASIMULATORFLEETDOC",
  };
}

export function createSimServer(rt: SimRuntime): Server {
  const server = createServer((req, res) => {
    route(rt, req, res).catch((e) => {
      const requestId = randomUUID();
      const err = internal(e, requestId);
      sendJsonError(res, requestId, err.code, err.message, 500);
    });
  });
  server.on("clientError", (_err, socket) => {
    const body = JSON.stringify({ __type: "BadRequestException", message: "Malformed HTTP request." });
    if (socket.writable)
      socket.end(
        `HTTP/1.1 400 Bad Request\r\nContent-Type: ${JSON_TYPE}\r\nx-amzn-ErrorType: BadRequestException\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      );
  });
  return server;
}
