/**
 * Test helpers (never imported by the app): an ES256 key pair like an ALB's, a local key server that serves its
 * public key by kid as the regional endpoint does, and a signer for ALB-style `x-amzn-oidc-data` tokens.
 */
import { createPrivateKey, sign } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { exportPKCS8, exportSPKI, generateKeyPair } from "jose";

export type TestKey = { kid: string; publicPem: string; privatePem: string };

export async function makeKey(kid: string): Promise<TestKey> {
  const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
  return { kid, publicPem: await exportSPKI(publicKey), privatePem: await exportPKCS8(privateKey) };
}

/** How a key endpoint can fail, by kid: a dropped connection, a server error, or a body that is no EC P-256 key. */
export type KeyFault = "drop" | "502" | "empty" | "garbage";

/**
 * Serves `GET /<kid>` -> PEM for the given keys, and fails as `faults` says for other kids; counts requests so
 * tests can see the cache work.
 */
export async function startKeyServer(
  keys: TestKey[],
  faults: Record<string, KeyFault> = {},
): Promise<{ url: string; hits: () => number; close(): Promise<void> }> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    const kid = decodeURIComponent((req.url ?? "/").slice(1));
    const fault = Object.hasOwn(faults, kid) ? faults[kid] : undefined;
    if (fault === "drop") return void req.socket.destroy();
    if (fault === "502") return void res.writeHead(502).end("bad gateway");
    if (fault === "empty") return void res.writeHead(200).end("");
    if (fault === "garbage")
      return void res.writeHead(200).end("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----");
    const key = keys.find((k) => k.kid === kid);
    if (!key) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": "text/plain" }).end(key.publicPem);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits: () => hits,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Signs a token the way an ALB does: ES256, `kid`/`signer`/`exp` in the header, base64 segments padded with `=`. */
export function albToken(opts: {
  key: TestKey;
  signer: string;
  claims: Record<string, unknown>;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
  pad?: boolean;
  kid?: string;
}): string {
  const exp = Math.floor(Date.now() / 1000) + (opts.expiresIn ?? 120);
  const enc = (value: unknown) => {
    const s = Buffer.from(JSON.stringify(value)).toString("base64url");
    return opts.pad === false ? s : s + "=".repeat((4 - (s.length % 4)) % 4);
  };
  const header = enc({
    alg: "ES256",
    kid: opts.kid ?? opts.key.kid,
    signer: opts.signer,
    iss: "https://idp.example",
    client: "fd",
    exp,
  });
  const payload = enc({ ...opts.claims, exp, iss: "https://idp.example" });
  const input = `${header}.${payload}`;
  const signature = sign("sha256", Buffer.from(input), {
    key: createPrivateKey(opts.key.privatePem),
    dsaEncoding: "ieee-p1363",
  }).toString("base64url");
  return `${input}.${signature}`;
}
