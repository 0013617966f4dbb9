import { describe, expect, it } from "vitest";
import { retryAfterMs } from "./deliver.ts";
import { safeError, scrub } from "./safe-error.ts";
import { signature, verifySignature } from "./sign.ts";

describe("verifySignature (what a receiver does)", () => {
  const secret = "0123456789abcdef-secret";
  const body = '{"type":"fleet-doctor.alerts"}';
  it("accepts the signature of this body and time, and nothing else", () => {
    const ts = "1765000000";
    const sig = signature(secret, ts, body);
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    const ok = { secret, timestamp: ts, body, signature: sig, nowSeconds: 1765000010 };
    expect(verifySignature(ok)).toBe(true);
    expect(verifySignature({ ...ok, body: `${body} ` })).toBe(false);
    expect(verifySignature({ ...ok, secret: `${secret}x` })).toBe(false);
    expect(verifySignature({ ...ok, signature: "sha256=00" })).toBe(false);
    // A body replayed later than the tolerance, or a timestamp that is no number.
    expect(verifySignature({ ...ok, nowSeconds: 1765000000 + 301 })).toBe(false);
    expect(verifySignature({ ...ok, timestamp: "1765000000.0" })).toBe(false);
  });
});

describe("what a failed attempt may say", () => {
  it("keeps a fixed phrase and a system code, never the error's message", () => {
    const e = new TypeError("fetch failed: https://hooks.example/services/T0/B0/secret", {
      cause: Object.assign(new Error("connect ECONNREFUSED 10.0.0.1:443"), { code: "ECONNREFUSED" }),
    });
    expect(safeError(e, 1000)).toBe("network error (ECONNREFUSED)");
    expect(safeError(new DOMException("The operation timed out.", "TimeoutError"), 1000)).toBe(
      "timed out after 1000 ms",
    );
    expect(safeError(new Error("https://x/y"), 1000)).toBe("network error");
  });

  it("scrubs a webhook's URL, its parts and its secret from text", () => {
    const w = { url: "https://hooks.example.com/services/T0/B0/tok?x=1", secret: "hmac-secret-value" };
    const text = `failed https://hooks.example.com/services/T0/B0/tok?x=1 and /services/T0/B0/tok?x=1 hmac-secret-value`;
    const out = scrub(text, w);
    expect(out).not.toContain("tok");
    expect(out).not.toContain("hmac-secret-value");
    expect(out).toContain("failed [redacted]");
  });
});

describe("Retry-After", () => {
  it("reads seconds and HTTP dates", () => {
    expect(retryAfterMs("7")).toBe(7000);
    expect(retryAfterMs("Sun, 06 Dec 2026 08:00:30 GMT", Date.parse("2026-12-06T08:00:00Z"))).toBe(30_000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs("soon")).toBeUndefined();
  });
});
