import { FleetDoctorError } from "../errors.ts";

/** The AWS error code of a thrown SDK error (`name`, which the SDK sets from `__type` / `<Code>`). */
export function errorName(e: unknown): string {
  if (e && typeof e === "object") {
    const o = e as { name?: unknown; Code?: unknown; code?: unknown };
    for (const v of [o.Code, o.name, o.code]) if (typeof v === "string" && v && v !== "Error") return v;
  }
  return "Error";
}

export function isThrottling(e: unknown): boolean {
  const n = errorName(e);
  return (
    n === "ThrottlingException" ||
    n === "Throttling" ||
    n === "TooManyRequestsException" ||
    n === "RequestLimitExceeded" ||
    /rate exceeded/i.test(String((e as Error)?.message))
  );
}

/** Throttling, a 5xx or a network failure the SDK gave up on: worth another try later. */
export function isTransient(e: unknown): boolean {
  if (isThrottling(e)) return true;
  const status = (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  const n = errorName(e);
  return (
    n === "InternalServerError" ||
    n === "ServiceUnavailable" ||
    n === "ResourceContention" ||
    ["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "TimeoutError"].includes(n)
  );
}

/** Wraps an SDK failure in our one error type with a safe message (code and AWS message, no stack). */
export function awsError(operation: string, e: unknown): FleetDoctorError {
  if (e instanceof FleetDoctorError) return e;
  const code = errorName(e);
  const message = String((e as Error)?.message ?? e).slice(0, 300);
  return new FleetDoctorError(
    "AWS_ERROR",
    `${operation} failed: ${code}: ${message}`,
    { operation, code },
    { cause: e },
  );
}
