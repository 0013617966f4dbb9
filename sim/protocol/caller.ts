/**
 * Who sent a request and to which region: the access key id and region of its SigV4 credential scope
 * (`Authorization: AWS4-HMAC-SHA256 Credential=AKID/20261206/eu-west-1/ssm/aws4_request, ...`, or a presigned
 * URL's X-Amz-Credential). Signatures are not verified: the simulator trusts any key, as a test double should.
 */
import type { IncomingMessage } from "node:http";
import type { Session } from "../sts/sessions.ts";

export type Scope = { accessKeyId?: string; region?: string; sessionToken?: string };

const CREDENTIAL = /Credential=([^/\s,]+)\/(\d{8})\/([^/\s,]+)\/([^/\s,]+)\/aws4_request/;

export function signingScope(req: IncomingMessage, url: URL): Scope {
  const header = String(req.headers.authorization ?? "");
  let m = CREDENTIAL.exec(header);
  if (!m) {
    const q = url.searchParams.get("X-Amz-Credential");
    if (q) m = CREDENTIAL.exec(`Credential=${q}`);
  }
  const token = req.headers["x-amz-security-token"] ?? url.searchParams.get("X-Amz-Security-Token") ?? undefined;
  return {
    accessKeyId: m?.[1],
    region: m?.[3],
    sessionToken: typeof token === "string" && token !== "" ? token : undefined,
  };
}

/** The principal behind a request and the region it was signed for. */
export type Caller = {
  account: string;
  region: string;
  arn: string;
  userId: string;
  /** Set when the key is one the simulator's STS issued. */
  session?: Session;
};
