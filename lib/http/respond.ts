import { ZodError, type z } from "zod";
import { FleetDoctorError } from "../errors.ts";

/** The one error envelope of every API route. */
export type ErrorBody = { error: { code: string; message: string; details?: Record<string, unknown> } };

const NO_STORE = { "cache-control": "no-store" };

export function json(data: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return Response.json(data, { status, headers: { ...NO_STORE, ...headers } });
}

/** "targets.ids[3]" from a zod issue path. */
export function fieldName(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || "body";
}

function zodResponse(e: ZodError): Response {
  const issues = e.issues.slice(0, 10).map((i) => ({ field: fieldName(i.path), message: i.message }));
  const first = issues[0]!;
  const body: ErrorBody = {
    error: {
      code: "BAD_REQUEST",
      message: `${first.field}: ${first.message}`,
      details: { field: first.field, issues },
    },
  };
  return json(body, 400);
}

/** Maps anything thrown to the envelope: our errors keep their code, zod names the field, the rest is a 500 with an id. */
export function errorResponse(e: unknown): Response {
  if (e instanceof FleetDoctorError) {
    const body: ErrorBody = {
      error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) },
    };
    return json(body, e.status);
  }
  if (e instanceof ZodError) return zodResponse(e);
  const id = crypto.randomUUID();
  console.error(`[fleet-doctor] unexpected error ${id}:`, e);
  const body: ErrorBody = {
    error: {
      code: "INTERNAL",
      message: `Something went wrong on our side (error id ${id}).`,
      details: { errorId: id },
    },
  };
  return json(body, 500);
}

/** Wraps a route handler so that every failure becomes the error envelope with the right status. */
export function handle<A extends unknown[]>(fn: (...args: A) => Promise<Response> | Response) {
  return async (...args: A): Promise<Response> => {
    try {
      return await fn(...args);
    } catch (e) {
      return errorResponse(e);
    }
  };
}

/** The largest request body the API reads (lib/http/http-guard.ts refuses larger declared lengths unread). */
export const MAX_BODY_BYTES = 1_000_000;

const tooLarge = () =>
  new FleetDoctorError("PAYLOAD_TOO_LARGE", `The body is too large (at most ${MAX_BODY_BYTES} bytes).`, {
    field: "body",
  });

/** The body as text, counted while it is read: reading stops at the limit instead of after the whole body. */
async function readText(request: Request): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Reads a JSON body (application/json, at most 1 MB) and validates it; every failure is a 4xx naming the field. */
export async function readJson<S extends z.ZodType>(request: Request, schema: S): Promise<z.infer<S>> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) {
    throw new FleetDoctorError("BAD_REQUEST", "The body must be JSON (Content-Type: application/json).", {
      field: "content-type",
    });
  }
  const text = await readText(request);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new FleetDoctorError("BAD_REQUEST", "The body is not valid JSON.", { field: "body" });
  }
  return schema.parse(data);
}

/** Validates URL search parameters (first value of each) with a zod object schema. */
export function readQuery<S extends z.ZodType>(request: Request, schema: S): z.infer<S> {
  const url = new URL(request.url);
  const raw: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    raw[key] = all.length > 1 ? all : all[0]!;
  }
  return schema.parse(raw);
}
