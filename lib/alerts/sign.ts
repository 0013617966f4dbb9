import { createHmac, timingSafeEqual } from "node:crypto";

export const TIMESTAMP_HEADER = "X-Fleet-Doctor-Timestamp";
export const SIGNATURE_HEADER = "X-Fleet-Doctor-Signature";

/**
 * The generic webhook's signature: HMAC-SHA256 with the webhook's secret over `${timestamp}.${body}` (timestamp in
 * Unix seconds, as sent in X-Fleet-Doctor-Timestamp), sent as `sha256=<hex>` in X-Fleet-Doctor-Signature. The
 * timestamp is signed so that a receiver can refuse an old body replayed.
 */
export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** What a receiver does: recompute, compare in constant time, and refuse a timestamp too far from now. */
export function verifySignature(opts: {
  secret: string;
  timestamp: string;
  body: string;
  signature: string;
  toleranceSeconds?: number;
  nowSeconds?: number;
}): boolean {
  const now = opts.nowSeconds ?? Math.floor(Date.now() / 1000);
  const ts = Number(opts.timestamp);
  if (!/^\d+$/.test(opts.timestamp) || Math.abs(now - ts) > (opts.toleranceSeconds ?? 300)) return false;
  const want = Buffer.from(signature(opts.secret, opts.timestamp, opts.body));
  const got = Buffer.from(opts.signature);
  return want.length === got.length && timingSafeEqual(want, got);
}
