/**
 * Opaque NextTokens. A token carries the offset and a digest of the query it belongs to, so a token from another
 * query, a tampered token or garbage is rejected (InvalidNextToken) the way AWS rejects it.
 */
import { createHash } from "node:crypto";
import { AwsError } from "./errors.ts";

function digest(query: unknown): string {
  return createHash("sha256")
    .update(JSON.stringify(query ?? null))
    .digest("base64url")
    .slice(0, 16);
}

export function makeToken(offset: number, query: unknown): string {
  return Buffer.from(JSON.stringify({ v: 1, o: offset, q: digest(query) })).toString("base64url");
}

/** The offset encoded in `token` (0 when there is none); throws InvalidNextToken when it is not ours for `query`. */
export function readToken(
  token: string | undefined,
  query: unknown,
  message = "The specified token is invalid.",
): number {
  if (token === undefined || token === "") return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as {
      v?: number;
      o?: unknown;
      q?: unknown;
    };
    if (
      parsed.v === 1 &&
      typeof parsed.o === "number" &&
      Number.isInteger(parsed.o) &&
      parsed.o >= 0 &&
      parsed.q === digest(query)
    )
      return parsed.o;
  } catch {
    // falls through to the error below
  }
  throw new AwsError("InvalidNextToken", message);
}

/** One page of `items` and the token for the next, if any. */
export function page<T>(items: T[], offset: number, max: number, query: unknown): { items: T[]; nextToken?: string } {
  const slice = items.slice(offset, offset + max);
  const next = offset + max;
  return next < items.length ? { items: slice, nextToken: makeToken(next, query) } : { items: slice };
}
