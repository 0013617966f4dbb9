import { compactVerify, importSPKI } from "jose";
import { FleetDoctorError } from "../errors.ts";

/**
 * Verifies the `x-amzn-oidc-data` token an Application Load Balancer adds after OIDC sign-in: ES256, signed by the
 * key named by `kid` (fetched as PEM from the regional endpoint and cached), the `signer` header equal to our
 * load balancer's ARN (so a token minted by another ALB in the same region is refused), and not expired.
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
  /** Seconds of clock skew allowed on `exp`. */
  clockToleranceSeconds?: number;
  now?: () => number;
};

const KID = /^[A-Za-z0-9_-]{1,128}$/;
const keyCache = new Map<string, Promise<CryptoKey>>();

const unauthorized = (message: string) => new FleetDoctorError("UNAUTHORIZED", message);

async function fetchKey(keyUrl: string, kid: string): Promise<CryptoKey> {
  const cacheKey = `${keyUrl}/${kid}`;
  let pending = keyCache.get(cacheKey);
  if (!pending) {
    pending = (async () => {
      const res = await fetch(cacheKey, { signal: AbortSignal.timeout(5_000), redirect: "error" });
      if (!res.ok)
        throw unauthorized(`The load balancer's public key ${kid} could not be fetched (HTTP ${res.status}).`);
      const pem = (await res.text()).trim();
      return importSPKI(pem, "ES256");
    })();
    keyCache.set(cacheKey, pending);
    // A failed fetch is not cached: the next request tries again.
    pending.catch(() => keyCache.delete(cacheKey));
  }
  return pending;
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
  const tolerance = opts.clockToleranceSeconds ?? 30;
  // The ALB writes exp into the header; IdP claims may carry their own. Both must hold; one must exist.
  const exps = [header.exp, claims.exp].filter((x) => x !== undefined);
  if (exps.length === 0) throw unauthorized("The OIDC token has no expiry.");
  for (const exp of exps) {
    if (typeof exp !== "number") throw unauthorized("The OIDC token's expiry is not a number.");
    if (exp + tolerance < now) throw unauthorized("The OIDC token has expired.");
  }
  return claims;
}

/** For tests: forget fetched keys. */
export function clearAlbKeyCache(): void {
  keyCache.clear();
}
