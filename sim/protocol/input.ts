/**
 * Typed reads of an untrusted awsJson1_1 body. A member of the wrong JSON type is a SerializationException, as the
 * real service answers before any constraint is checked; a missing member is undefined.
 */
import { AwsError } from "./errors.ts";

export type Body = Record<string, unknown>;

function wrongType(name: string, expected: string): AwsError {
  return new AwsError("SerializationException", `Member '${name}' must be ${expected}`);
}

export function optString(body: Body, name: string): string | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw wrongType(name, "a string");
  return v;
}

export function optInt(body: Body, name: string): number | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v)) throw wrongType(name, "an integer");
  return v;
}

export function optBool(body: Body, name: string): boolean | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw wrongType(name, "a boolean");
  return v;
}

export function optStringList(body: Body, name: string): string[] | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) throw wrongType(name, "a list of strings");
  return v as string[];
}

export function optObjectList(body: Body, name: string): Body[] | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== "object" || x === null || Array.isArray(x)))
    throw wrongType(name, "a list of structures");
  return v as Body[];
}

export function optObject(body: Body, name: string): Body | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "object" || Array.isArray(v)) throw wrongType(name, "a structure");
  return v as Body;
}

/** `Parameters` of SendCommand: a map of parameter name to a list of strings. */
export function optParameters(body: Body, name: string): Record<string, string[]> | undefined {
  const v = optObject(body, name);
  if (!v) return undefined;
  for (const [k, list] of Object.entries(v)) {
    if (!Array.isArray(list) || list.some((x) => typeof x !== "string"))
      throw wrongType(`${name}.${k}`, "a list of strings");
  }
  return v as Record<string, string[]>;
}
