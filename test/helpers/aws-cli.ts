/** The real AWS CLI pointed at a simulator: a strict, independent client for checking its wire format. */
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export type AwsCliResult = { code: number; out: Record<string, unknown>; err: string };

/** `aws --endpoint-url <url> --output json ...args` with test credentials and no retries; never throws. */
export function awsCli(url: () => string): (...args: string[]) => Promise<AwsCliResult> {
  return async (...args) => {
    try {
      const { stdout } = await run("aws", ["--endpoint-url", url(), "--output", "json", ...args], {
        env: {
          ...process.env,
          AWS_ACCESS_KEY_ID: "test",
          AWS_SECRET_ACCESS_KEY: "test",
          AWS_DEFAULT_REGION: "us-east-1",
          AWS_MAX_ATTEMPTS: "1",
        },
      });
      return { code: 0, out: JSON.parse(stdout || "{}") as Record<string, unknown>, err: "" };
    } catch (e) {
      const x = e as { code: number; stderr: string };
      return { code: x.code, out: {}, err: x.stderr };
    }
  };
}
