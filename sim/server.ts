/**
 * The simulator's HTTP face on one port: SSM and ECS over awsJson1_1 (requests with `X-Amz-Target`), Auto Scaling over
 * awsQuery (form bodies with `Action=`), the control API under /_sim/ and the hosts' own endpoints (IMDS,
 * introspection) under /_hosts/. Whatever arrives, the answer is AWS-shaped: never a crash, a stack or HTML.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { ASG_OPERATIONS } from "./autoscaling/operations.ts";
import { type ControlRuntime, handleControl } from "./control.ts";
import { EC2_OPERATIONS } from "./ec2/operations.ts";
import { EC2_VERSION, Ec2Params, ec2Error, ec2Response } from "./ec2/protocol.ts";
import { ECS_OPERATIONS, ECS_TARGET_PREFIX } from "./ecs/index.ts";
import type { Faults } from "./faults.ts";
import type { Fleet } from "./fleet-types.ts";
import type { CallLog } from "./protocol/calls.ts";
import { AwsError } from "./protocol/errors.ts";
import type { Body } from "./protocol/input.ts";
import { QueryParams, queryError, queryResponse } from "./protocol/query.ts";
import { SSM_OPERATIONS } from "./ssm/index.ts";
import type { CommandStore } from "./ssm/invocations.ts";
import { getCallerIdentity, STS_NAMESPACE, STS_OPERATIONS, STS_VERSION } from "./sts/get-caller-identity.ts";

/** Requests larger than this are refused (413) without being parsed. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Beyond this the connection is dropped instead of drained. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;
const ASG_NAMESPACE = "http://autoscaling.amazonaws.com/doc/2011-01-01/";
const JSON_TYPE = "application/x-amz-json-1.1";

export interface SimRuntime extends ControlRuntime {
  /** The AWS account the simulator answers for (STS GetCallerIdentity). */
  account: string;
  fleet(): Fleet;
  store(): CommandStore;
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
): void {
  send(
    res,
    status,
    { "Content-Type": JSON_TYPE, "x-amzn-RequestId": requestId, "x-amzn-ErrorType": code },
    JSON.stringify({ __type: code, message }),
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
  service: "ssm" | "autoscaling" | "sts" | "ecs" | "ec2",
): Promise<AwsError | undefined> {
  const decision = rt.faults.decide(op);
  if (decision.latencyMs > 0) await sleep(decision.latencyMs);
  if (service === "ec2") return ec2Fault(decision.outcome, rt.account, op);
  if (decision.outcome === "denied") {
    const message = `User: arn:aws:iam::${rt.account}:user/sim is not authorized to perform: ${service === "autoscaling" ? "autoscaling" : service}:${op}`;
    // awsJson services name it AccessDeniedException (400); the query ones AccessDenied (403).
    return service === "ssm" || service === "ecs"
      ? new AwsError("AccessDeniedException", message, 400)
      : new AwsError("AccessDenied", message, 403);
  }
  if (decision.outcome === "throttle")
    return new AwsError(
      service === "ssm" ? "ThrottlingException" : service === "ecs" ? "ThrottlingException" : "Throttling",
      "Rate exceeded",
    );
  if (decision.outcome === "server-error")
    return service === "ssm"
      ? new AwsError("InternalServerError", "An internal error occurred.", 500)
      : service === "ecs"
        ? new AwsError("ServerException", "An internal error occurred.", 500)
        : new AwsError("InternalFailure", "An internal error occurred.", 500);
  if (decision.outcome === "unavailable")
    return new AwsError("ServiceUnavailable", "Service is unavailable. Try again later.", 503);
  return undefined;
}

function internal(e: unknown, requestId: string): AwsError {
  console.error(`[sim] request ${requestId} failed:`, e);
  return new AwsError("InternalServerError", `An internal error occurred (request ${requestId}).`, 500);
}

/** awsJson1_1: SSM (`AmazonSSM.<Op>`) and ECS (`AmazonEC2ContainerServiceV20141113.<Op>`) by target prefix. */
async function handleJson(
  rt: SimRuntime,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  body: Buffer,
): Promise<void> {
  const target = String(req.headers["x-amz-target"]);
  const m = /^([A-Za-z0-9]+)\.([A-Za-z]+)$/.exec(target);
  const service = m?.[1] === ECS_TARGET_PREFIX ? "ecs" : "ssm";
  const op = m?.[1] === ECS_TARGET_PREFIX || m?.[1] === "AmazonSSM" ? m[2] : undefined;
  const known = service === "ecs" ? ECS_OPERATIONS : SSM_OPERATIONS;
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
  const call = rt.calls.add(service, op, params);
  let result: unknown;
  let error = await applyFaults(rt, op, service);
  if (!error) {
    try {
      result =
        service === "ecs"
          ? ECS_OPERATIONS[op]!(params, rt.fleet())
          : SSM_OPERATIONS[op]!(params, { fleet: rt.fleet(), store: rt.store() });
    } catch (e) {
      error = e instanceof AwsError ? e : internal(e, requestId);
      if (service === "ecs" && error.code === "InternalServerError")
        error = new AwsError("ServerException", error.message, 500);
    }
  }
  if (error) {
    call.status = error.status;
    call.error = error.code;
    return sendJsonError(res, requestId, error.code, error.message, error.status);
  }
  call.status = 200;
  send(res, 200, { "Content-Type": JSON_TYPE, "x-amzn-RequestId": requestId }, JSON.stringify(result));
}

async function handleQuery(rt: SimRuntime, res: ServerResponse, requestId: string, body: Buffer): Promise<void> {
  const params = QueryParams.parse(body.toString("utf8"));
  const op = params.str("Action");
  if (!op) return sendQueryError(res, requestId, "MissingAction", "The request must contain the parameter Action.");
  if (STS_OPERATIONS.has(op) || params.str("Version") === STS_VERSION) return handleSts(rt, res, requestId, op, params);
  if (params.str("Version") === EC2_VERSION) return handleEc2(rt, res, requestId, op, body);
  if (!Object.hasOwn(ASG_OPERATIONS, op))
    return sendQueryError(res, requestId, "InvalidAction", `The action ${op} is not valid for this web service.`);
  const version = params.str("Version");
  if (version !== undefined && version !== "2011-01-01")
    return sendQueryError(res, requestId, "InvalidAction", `The action ${op} is not valid for version ${version}.`);
  const call = rt.calls.add("autoscaling", op, params.toJSON());
  let error = await applyFaults(rt, op, "autoscaling");
  let result: ReturnType<(typeof ASG_OPERATIONS)[string]> = null;
  if (!error) {
    try {
      result = ASG_OPERATIONS[op]!(params, rt.fleet());
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

/** EC2's faults in its own words (ec2Query codes and statuses). */
function ec2Fault(outcome: string, account: string, op: string): AwsError | undefined {
  if (outcome === "denied")
    return new AwsError(
      "UnauthorizedOperation",
      `You are not authorized to perform this operation. User: arn:aws:iam::${account}:user/sim is not authorized to perform: ec2:${op}`,
      403,
    );
  if (outcome === "throttle") return new AwsError("RequestLimitExceeded", "Request limit exceeded.", 503);
  if (outcome === "server-error")
    return new AwsError("InternalError", "An internal error has occurred. Retry your request.", 500);
  if (outcome === "unavailable")
    return new AwsError("Unavailable", "The service is unavailable. Try again later.", 503);
  return undefined;
}

/** EC2 (ec2Query, Version 2016-11-15) shares form bodies with Auto Scaling and STS; its Version tells it apart. */
async function handleEc2(rt: SimRuntime, res: ServerResponse, requestId: string, op: string, body: Buffer) {
  const reply = (status: number, xml: string) =>
    send(res, status, { "Content-Type": "text/xml;charset=UTF-8", "x-amzn-RequestId": requestId }, xml);
  if (!Object.hasOwn(EC2_OPERATIONS, op))
    return reply(400, ec2Error(requestId, "InvalidAction", `The action ${op} is not valid for this web service.`));
  const params = Ec2Params.parse(body.toString("utf8"));
  const call = rt.calls.add("ec2", op, params.toJSON());
  let error = await applyFaults(rt, op, "ec2");
  let result: ReturnType<(typeof EC2_OPERATIONS)[string]> | undefined;
  if (!error) {
    try {
      result = EC2_OPERATIONS[op]!(params, { fleet: rt.fleet() });
    } catch (e) {
      error = e instanceof AwsError ? e : internal(e, requestId);
      if (error.code === "InternalServerError") error = new AwsError("InternalError", error.message, 500);
    }
  }
  if (error) {
    call.status = error.status;
    call.error = error.code;
    return reply(error.status, ec2Error(requestId, error.code, error.message));
  }
  call.status = 200;
  reply(200, ec2Response(op, requestId, result!));
}

/** STS shares awsQuery with Auto Scaling; its calls are told apart by operation and Version. */
async function handleSts(
  rt: SimRuntime,
  res: ServerResponse,
  requestId: string,
  op: string,
  params: QueryParams,
): Promise<void> {
  const error = (code: string, message: string, status = 400) =>
    sendQueryError(res, requestId, code, message, status, STS_NAMESPACE);
  if (!STS_OPERATIONS.has(op)) return error("InvalidAction", `The action ${op} is not valid for this web service.`);
  const version = params.str("Version");
  if (version !== undefined && version !== STS_VERSION)
    return error("InvalidAction", `The action ${op} is not valid for version ${version}.`);
  const call = rt.calls.add("sts", op, params.toJSON());
  const fault = await applyFaults(rt, op, "sts");
  if (fault) {
    call.status = fault.status;
    call.error = fault.code;
    return error(fault.code, fault.message, fault.status);
  }
  call.status = 200;
  const result = getCallerIdentity(params, rt.account);
  send(
    res,
    200,
    { "Content-Type": "text/xml", "x-amzn-RequestId": requestId },
    queryResponse(op, STS_NAMESPACE, requestId, result),
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
  if (req.headers["x-amz-target"] !== undefined) return handleJson(rt, req, res, requestId, read.body);
  const type = String(req.headers["content-type"] ?? "").toLowerCase();
  if (type.startsWith("application/x-www-form-urlencoded")) return handleQuery(rt, res, requestId, read.body);
  return sendJsonError(
    res,
    requestId,
    "UnknownOperationException",
    "The request names no operation: send X-Amz-Target (awsJson1_1) or a form body with Action= (awsQuery).",
  );
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
