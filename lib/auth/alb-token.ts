import { compactVerify, importSPKI } from "jose";
import { FleetDoctorError } from "../errors.ts";

/**
 * Verifies the `x-amzn-oidc-data` token an Application Load Balancer adds after OIDC sign-in: ES256, signed by the
 * key named by `kid` (fetched as PEM from the regional endpoint and cached), the `signer` header equal to our
 * load balancer's ARN (so a token minted by another ALB in the same region is refused), not expired and not from
 * the future (`nbf`, `iat`).
 *
 * The ALB pads its base64url segments with `=`; the signature covers the segments as sent, so they are verified
 * as sent and only decoded leniently.
 */
export type AlbClaims = { sub?: string; email?: string; [claim: string]: unknown };

export type AlbVerifyOptions = {
  /** The expected `signer`: the load balancer's ARN. */
  albArn: string;
  /** Base URL of the key endpoint, without trailing slash; the key is at `${keyUrl}/${kid}`. */
  keyUrl: string;
  /** Seconds of clock skew allowed on `exp`, `nbf` and `iat`. */
  clockToleranceSeconds?: number;
  now?: () => number;
};

/** Clocks of the load balancer, the identity provider and this server may differ by this much. */
export const CLOCK_SKEW_SECONDS = 60;

const KID = /^[A-Za-z0-9_-]{1,128}$/;

/** How long to wait for the key endpoint, and how long its answers are remembered. */
const KEY_FETCH_TIMEOUT_MS = 3_000;
const GOOD_KEY_TTL_MS = 60 * 60_000;
/** Failures are remembered briefly: a flood of tokens naming a bad or unreachable key costs one fetch per kid. */
const BAD_KEY_TTL_MS = 10_000;
const MAX_CACHED_KEYS = 256;
const MAX_PEM_BYTES = 8_192;

type CachedKey = { until: number; key: Promise<CryptoKey> };
const keyCache = new Map<string, CachedKey>();

const unauthorized = (message: string) => new FleetDoctorError("UNAUTHORIZED", message);
const unavailable = (message: string) =>
  new FleetDoctorError("UNAVAILABLE", `The identity provider is unreachable: ${message} Try again shortly.`);

/**
 * One fetch of a key by kid: 503 when the endpoint cannot be reached (network, timeout, 5xx), 401 when it answers
 * but has no usable key (unknown kid, or anything but an EC P-256 public key in PEM).
 */
async function loadKey(url: string, kid: string): Promise<CryptoKey> {
  let res: Response;
  let body: string;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(KEY_FETCH_TIMEOUT_MS), redirect: "error" });
    body = await res.text();
  } catch {
    throw unavailable(`the load balancer's public key ${kid} could not be fetched.`);
  }
  if (res.status >= 500) throw unavailable(`the key endpoint answered HTTP ${res.status}.`);
  if (!res.ok) throw unauthorized(`The load balancer's public key ${kid} could not be fetched (HTTP ${res.status}).`);
  const pem = body.slice(0, MAX_PEM_BYTES).trim();
  try {
    return await importSPKI(pem, "ES256");
  } catch {
    throw unauthorized(`The load balancer's key ${kid} is not an EC P-256 public key.`);
  }
}

async function fetchKey(keyUrl: string, kid: string): Promise<CryptoKey> {
  const now = Date.now();
  const cacheKey = `${keyUrl}/${kid}`;
  const cached = keyCache.get(cacheKey);
  if (cached && cached.until > now) return cached.key;
  const entry: CachedKey = { until: now + GOOD_KEY_TTL_MS, key: loadKey(cacheKey, kid) };
  entry.key.catch(() => {
    entry.until = Date.now() + BAD_KEY_TTL_MS;
  });
  keyCache.delete(cacheKey);
  keyCache.set(cacheKey, entry);
  // Oldest first: a Map iterates in insertion order.
  while (keyCache.size > MAX_CACHED_KEYS) keyCache.delete(keyCache.keys().next().value!);
  return entry.key;
}

function decodeSegment(segment: string): unknown {
  return JSON.parse(Buffer.from(segment.replace(/=+$/, ""), "base64url").toString("utf8"));
}

export async function verifyAlbToken(token: string, opts: AlbVerifyOptions): Promise<AlbClaims> {
  const parts = token.split(".");
  if (parts.length !== 3 || parts.some((p) => p.length === 0)) throw unauthorized("The OIDC token is malformed.");
  let header: Record<string, unknown>;
  try {
    header = decodeSegment(parts[0]!) as Record<string, unknown>;
  } catch {
    throw unauthorized("The OIDC token is malformed.");
  }
  if (typeof header !== "object" || header === null) throw unauthorized("The OIDC token is malformed.");
  if (header.alg !== "ES256") throw unauthorized("The OIDC token is not signed with ES256.");
  if (header.signer !== opts.albArn) throw unauthorized("The OIDC token was not signed by this load balancer.");
  const kid = header.kid;
  if (typeof kid !== "string" || !KID.test(kid)) throw unauthorized("The OIDC token names no valid key id.");

  const key = await fetchKey(opts.keyUrl, kid);
  try {
    await compactVerify(token, key, { algorithms: ["ES256"] });
  } catch {
    throw unauthorized("The OIDC token's signature is not valid.");
  }

  let claims: AlbClaims;
  try {
    claims = decodeSegment(parts[1]!) as AlbClaims;
  } catch {
    throw unauthorized("The OIDC token's claims are not JSON.");
  }
  if (typeof claims !== "object" || claims === null) throw unauthorized("The OIDC token's claims are not an object.");
  const now = Math.floor((opts.now?.() ?? Date.now()) / 1000);
  const tolerance = opts.clockToleranceSeconds ?? CLOCK_SKEW_SECONDS;
  // The ALB writes exp into the header; IdP claims may carry their own. Both must hold; one must exist.
  const exps = [header.exp, claims.exp].filter((x) => x !== undefined);
  if (exps.length === 0) throw unauthorized("The OIDC token has no expiry.");
  for (const exp of exps) {
    if (typeof exp !== "number") throw unauthorized("The OIDC token's expiry is not a number.");
    if (exp + tolerance < now) throw unauthorized("The OIDC token has expired.");
  }
  // A token from the future is refused too: it was minted by a clock we do not trust, or made to outlive its exp.
  for (const [name, value] of [
    ["nbf", header.nbf],
    ["nbf", claims.nbf],
    ["iat", header.iat],
    ["iat", claims.iat],
  ] as const) {
    if (value === undefined) continue;
    if (typeof value !== "number") throw unauthorized(`The OIDC token's ${name} is not a number.`);
    if (value - tolerance > now) throw unauthorized(`The OIDC token is not valid yet (${name} is in the future).`);
  }
  return claims;
}

/** For tests: forget fetched keys. */
export function clearAlbKeyCache(): void {
  keyCache.clear();
}
