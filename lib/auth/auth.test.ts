import { generateKeyPairSync } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { albToken, makeKey, startKeyServer, type TestKey } from "../../test/helpers/alb-keys.ts";
import { parseConfig } from "../config.ts";
import { FleetDoctorError } from "../errors.ts";
import { currentActor, OIDC_DATA_HEADER, requireRole } from "./actor.ts";
import { clearAlbKeyCache } from "./alb-token.ts";
import { checkOrigin } from "./origin.ts";
import { roleFor } from "./roles.ts";

const ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/fleet-doctor/50dc6c495c0c9188";
const OTHER_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/other/50dc6c495c0c9188";

let key: TestKey;
let rogue: TestKey;
let keys: Awaited<ReturnType<typeof startKeyServer>>;

beforeAll(async () => {
  key = await makeKey("0b6a3b8e-1111-4c3e-9a1b-3f4f5e6d7c8b");
  rogue = await makeKey("rogue-key");
  keys = await startKeyServer([key]);
});
afterAll(() => keys.close());
beforeEach(() => clearAlbKeyCache());

const albConfig = (extra: Record<string, string> = {}) =>
  parseConfig({
    FLEET_DOCTOR_AUTH: "alb",
    FLEET_DOCTOR_ALB_ARN: ARN,
    FLEET_DOCTOR_ALB_KEY_URL: keys.url,
    FLEET_DOCTOR_OPERATORS: "ops@example.com,group:sre",
    FLEET_DOCTOR_VIEWERS: "dev@example.com",
    ...extra,
  });

const request = (headers: Record<string, string> = {}, url = "http://127.0.0.1:3000/api/actions") =>
  new Request(url, { method: "POST", headers });

async function failure(p: Promise<unknown>): Promise<FleetDoctorError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(FleetDoctorError);
    return e as FleetDoctorError;
  }
  throw new Error("expected a failure");
}

describe("currentActor, FLEET_DOCTOR_AUTH=none", () => {
  it("is the local operator without any header", async () => {
    expect(await currentActor(request(), parseConfig({}))).toEqual({ id: "local", role: "operator" });
  });
});

describe("currentActor, FLEET_DOCTOR_AUTH=alb", () => {
  it("accepts valid ALB tokens (padded segments) and maps the e-mail to operator", async () => {
    let padded = 0;
    for (const sub of ["u1", "u1x", "u1xx"]) {
      const token = albToken({ key, signer: ARN, claims: { sub, email: "Ops@Example.com" } });
      if (token.split(".")[1]!.endsWith("=")) padded++;
      const actor = await currentActor(request({ [OIDC_DATA_HEADER]: token }), albConfig());
      expect(actor).toMatchObject({ id: "Ops@Example.com", role: "operator" });
    }
    expect(padded).toBeGreaterThan(0);
  });

  it("accepts an unpadded token too, maps a group to operator and caches the key", async () => {
    const before = keys.hits();
    for (let i = 0; i < 3; i++) {
      const token = albToken({
        key,
        signer: ARN,
        pad: false,
        claims: { sub: "u2", email: "x@example.com", groups: ["sre"] },
      });
      expect((await currentActor(request({ [OIDC_DATA_HEADER]: token }), albConfig())).role).toBe("operator");
    }
    expect(keys.hits() - before).toBe(1);
  });

  it("gives a viewer the viewer role, and requireRole refuses it the operator role with 403", async () => {
    const token = albToken({ key, signer: ARN, claims: { sub: "u3", email: "dev@example.com" } });
    const actor = await currentActor(request({ [OIDC_DATA_HEADER]: token }), albConfig());
    expect(actor.role).toBe("viewer");
    expect(() => requireRole(actor, "viewer")).not.toThrow();
    const e = (() => {
      try {
        requireRole(actor, "operator");
      } catch (err) {
        return err as FleetDoctorError;
      }
    })();
    expect(e?.status).toBe(403);
  });

  it("denies a signed-in user on no list (403), unless viewers is *", async () => {
    const token = albToken({ key, signer: ARN, claims: { sub: "u4", email: "stranger@example.com" } });
    expect((await failure(currentActor(request({ [OIDC_DATA_HEADER]: token }), albConfig()))).status).toBe(403);
    const open = await currentActor(request({ [OIDC_DATA_HEADER]: token }), albConfig({ FLEET_DOCTOR_VIEWERS: "*" }));
    expect(open.role).toBe("viewer");
  });

  it("refuses a missing header with 401", async () => {
    expect((await failure(currentActor(request(), albConfig()))).status).toBe(401);
  });

  it("refuses a forged token (signed by another key under the real kid) with 401", async () => {
    const forged = albToken({ key: rogue, kid: key.kid, signer: ARN, claims: { email: "ops@example.com" } });
    const e = await failure(currentActor(request({ [OIDC_DATA_HEADER]: forged }), albConfig()));
    expect(e.status).toBe(401);
    expect(e.message).toMatch(/signature/);
  });

  it("refuses a token whose payload was edited after signing", async () => {
    const token = albToken({ key, signer: ARN, pad: false, claims: { email: "dev@example.com" } });
    const [h, , s] = token.split(".");
    const payload = Buffer.from(JSON.stringify({ email: "ops@example.com", exp: 4102444800 })).toString("base64url");
    const e = await failure(currentActor(request({ [OIDC_DATA_HEADER]: `${h}.${payload}.${s}` }), albConfig()));
    expect(e.status).toBe(401);
  });

  it("refuses an expired token with 401", async () => {
    const expired = albToken({ key, signer: ARN, expiresIn: -3600, claims: { email: "ops@example.com" } });
    const e = await failure(currentActor(request({ [OIDC_DATA_HEADER]: expired }), albConfig()));
    expect(e.status).toBe(401);
    expect(e.message).toMatch(/expired/);
  });

  it("refuses a token from another load balancer (wrong signer) with 401", async () => {
    const token = albToken({ key, signer: OTHER_ARN, claims: { email: "ops@example.com" } });
    const e = await failure(currentActor(request({ [OIDC_DATA_HEADER]: token }), albConfig()));
    expect(e.status).toBe(401);
    expect(e.message).toMatch(/load balancer/);
  });

  it("refuses an unknown kid, a kid with path characters and garbage with 401", async () => {
    const unknown = albToken({ key: rogue, signer: ARN, claims: { email: "ops@example.com" } });
    expect((await failure(currentActor(request({ [OIDC_DATA_HEADER]: unknown }), albConfig()))).status).toBe(401);
    const traversal = albToken({ key, kid: "../etc/passwd", signer: ARN, claims: { email: "ops@example.com" } });
    expect((await failure(currentActor(request({ [OIDC_DATA_HEADER]: traversal }), albConfig()))).status).toBe(401);
    for (const junk of ["x", "a.b", "a.b.c", "eyJhbGciOiJub25lIn0.e30."]) {
      expect((await failure(currentActor(request({ [OIDC_DATA_HEADER]: junk }), albConfig()))).status).toBe(401);
    }
  });

  it("refuses alg=none style tokens", async () => {
    const h = Buffer.from(JSON.stringify({ alg: "none", kid: key.kid, signer: ARN })).toString("base64url");
    const p = Buffer.from(JSON.stringify({ email: "ops@example.com", exp: 4102444800 })).toString("base64url");
    expect((await failure(currentActor(request({ [OIDC_DATA_HEADER]: `${h}.${p}.x` }), albConfig()))).status).toBe(401);
  });
});

describe("tokens from the future", () => {
  const withClaims = (claims: Record<string, unknown>) =>
    request({ [OIDC_DATA_HEADER]: albToken({ key, signer: ARN, claims: { email: "ops@example.com", ...claims } }) });
  const now = () => Math.floor(Date.now() / 1000);

  it("refuses a future nbf or an iat beyond the allowed skew with 401", async () => {
    for (const claims of [{ nbf: now() + 3600 }, { iat: now() + 86_400 }, { nbf: "soon" }]) {
      const e = await failure(currentActor(withClaims(claims), albConfig()));
      expect(e.status).toBe(401);
    }
  });

  it("accepts nbf and iat now, in the past, or within the skew", async () => {
    for (const claims of [{ nbf: now() - 10, iat: now() - 10 }, { iat: now() + 20 }, { nbf: now() + 20 }]) {
      expect((await currentActor(withClaims(claims), albConfig())).role).toBe("operator");
    }
  });
});

/** A key endpoint that misbehaves in the way `mode` says; counts requests. */
async function startBadKeyServer() {
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ type: "spki", format: "pem" });
  const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" }).publicKey.export({ type: "spki", format: "pem" });
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    const mode = (req.url ?? "/").split("/")[1];
    if (mode === "drop") req.socket.destroy();
    else if (mode === "hang") return;
    else if (mode === "rsa") res.end(rsa);
    else if (mode === "p384") res.end(p384);
    else if (mode === "garbage") res.end("-----BEGIN PUBLIC KEY-----\nnot base64 at all\n-----END PUBLIC KEY-----\n");
    else if (mode === "empty") res.end("");
    else res.writeHead(502).end("bad gateway");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (mode: string) => `http://127.0.0.1:${port}/${mode}`,
    hits: () => hits,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe("a failing key endpoint", () => {
  let bad: Awaited<ReturnType<typeof startBadKeyServer>>;
  beforeAll(async () => {
    bad = await startBadKeyServer();
  });
  afterAll(() => bad.close());

  const attempt = (mode: string) => {
    const token = albToken({ key, signer: ARN, claims: { email: "ops@example.com" } });
    return failure(
      currentActor(request({ [OIDC_DATA_HEADER]: token }), albConfig({ FLEET_DOCTOR_ALB_KEY_URL: bad.url(mode) })),
    );
  };

  it.each([
    ["drop", 503],
    ["hang", 503],
    ["5xx", 503],
    ["rsa", 401],
    ["p384", 401],
    ["garbage", 401],
    ["empty", 401],
  ])(
    "answers a %s key endpoint with %i, and asks it only once for many requests",
    async (mode, status) => {
      const before = bad.hits();
      for (let i = 0; i < 3; i++) {
        const e = await attempt(mode);
        expect(e.status).toBe(status);
        expect(e.message).not.toMatch(/undefined|TypeError/);
      }
      expect(bad.hits() - before).toBe(1);
    },
    15_000,
  );
});

describe("roleFor", () => {
  it("prefers operator over viewer and matches e-mails case-insensitively", () => {
    const lists = { operators: ["a@x.io", "group:ops"], viewers: ["*"] };
    expect(roleFor({ email: "A@X.io", groups: [] }, lists)).toBe("operator");
    expect(roleFor({ email: "b@x.io", groups: ["ops"] }, lists)).toBe("operator");
    expect(roleFor({ email: "b@x.io", groups: ["dev"] }, lists)).toBe("viewer");
    expect(roleFor({ groups: [] }, { operators: [], viewers: [] })).toBeUndefined();
  });
});

describe("checkOrigin", () => {
  const cfg = parseConfig({});
  const check = (headers: Record<string, string>, c = cfg) => {
    try {
      checkOrigin(request({ host: "127.0.0.1:3000", ...headers }), c);
      return 0;
    } catch (e) {
      return (e as FleetDoctorError).status;
    }
  };
  it("accepts the app's own origin", () => expect(check({ origin: "http://127.0.0.1:3000" })).toBe(0));
  it("refuses a missing, null or foreign Origin with 403", () => {
    expect(check({})).toBe(403);
    expect(check({ origin: "null" })).toBe(403);
    expect(check({ origin: "http://evil.example" })).toBe(403);
    expect(check({ origin: "http://127.0.0.1:3001" })).toBe(403);
    expect(check({ origin: "https://127.0.0.1:3000" })).toBe(403);
  });
  it("refuses Sec-Fetch-Site: cross-site even with a matching Origin", () => {
    expect(check({ origin: "http://127.0.0.1:3000", "sec-fetch-site": "cross-site" })).toBe(403);
  });
  it("uses FLEET_DOCTOR_ORIGIN when set (behind a proxy)", () => {
    const behind = parseConfig({ FLEET_DOCTOR_ORIGIN: "https://doctor.example.com/" });
    expect(check({ origin: "https://doctor.example.com" }, behind)).toBe(0);
    expect(check({ origin: "http://127.0.0.1:3000" }, behind)).toBe(403);
  });
});

describe("config", () => {
  it("requires FLEET_DOCTOR_ALB_ARN with FLEET_DOCTOR_AUTH=alb, naming it", () => {
    expect(() => parseConfig({ FLEET_DOCTOR_AUTH: "alb" })).toThrow(/FLEET_DOCTOR_ALB_ARN/);
    expect(() => parseConfig({ FLEET_DOCTOR_AUTH: "alb", FLEET_DOCTOR_ALB_ARN: "arn:nope" })).toThrow(
      /FLEET_DOCTOR_ALB_ARN/,
    );
  });
  it("defaults the key URL to the regional endpoint", () => {
    const c = parseConfig({ FLEET_DOCTOR_AUTH: "alb", FLEET_DOCTOR_ALB_ARN: ARN, AWS_REGION: "eu-west-1" });
    expect(c.alb.keyUrl).toBe("https://public-keys.auth.elb.eu-west-1.amazonaws.com");
  });
});
