import { gzipSync } from "node:zlib";

/** User data fixtures: base64, gzip and a MIME multipart in the shape cloud-init and the EC2 console write. */
export const b64 = (s: string | Buffer) => Buffer.from(s).toString("base64");
export const gz = (s: string) => gzipSync(Buffer.from(s));
export function mime(parts: { type: string; body: string; base64?: boolean }[], boundary = "==BOUNDARY=="): string {
  return [
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    "MIME-Version: 1.0",
    "",
    ...parts.flatMap((p) => [
      `--${boundary}`,
      `Content-Type: ${p.type}; charset="us-ascii"`,
      ...(p.base64 ? ["Content-Transfer-Encoding: base64"] : []),
      "",
      p.base64 ? b64(p.body) : p.body,
    ]),
    `--${boundary}--`,
    "",
  ].join("\n");
}
