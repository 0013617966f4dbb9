import { z } from "zod";
import { FleetDoctorError } from "./errors.ts";

/**
 * Every environment variable Fleet Doctor reads, validated once. AWS endpoints are not here on purpose: the SDK
 * reads AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_SSM / AWS_ENDPOINT_URL_AUTO_SCALING itself, as every AWS tool does.
 */
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const schema = z.object({
  AWS_REGION: z.string().min(1).optional(),
  AWS_DEFAULT_REGION: z.string().min(1).optional(),
  FLEET_DOCTOR_DB: z.string().min(1).default("./data/fleet-doctor.db"),
  FLEET_DOCTOR_AUTH: z.enum(["none", "alb"]).default("none"),
  /** SendCommand calls per second the scan allows itself (SSM publishes no quota; stay well under the observed one). */
  FLEET_DOCTOR_SEND_RATE: z.coerce.number().positive().max(100).default(5),
  /** Seconds the probe may run on an instance before SSM kills it (AWS-RunShellScript executionTimeout). */
  FLEET_DOCTOR_PROBE_TIMEOUT: z.coerce.number().int().min(10).max(600).default(30),
  /** Seconds SSM may take to deliver a command (SendCommand TimeoutSeconds, at least 30). */
  FLEET_DOCTOR_DELIVERY_TIMEOUT: z.coerce.number().int().min(30).max(2_592_000).default(60),
  FLEET_DOCTOR_MAX_ATTEMPTS: positiveInt(6),
});

export type Config = {
  region: string;
  dbPath: string;
  auth: "none" | "alb";
  sendRate: number;
  probeTimeoutSeconds: number;
  deliveryTimeoutSeconds: number;
  maxAttempts: number;
};

export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = schema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const name = String(issue.path[0] ?? "environment");
    throw new FleetDoctorError("BAD_REQUEST", `Invalid environment variable ${name}: ${issue.message}`, {
      variable: name,
    });
  }
  const e = result.data;
  return {
    region: e.AWS_REGION ?? e.AWS_DEFAULT_REGION ?? "us-east-1",
    dbPath: e.FLEET_DOCTOR_DB,
    auth: e.FLEET_DOCTOR_AUTH,
    sendRate: e.FLEET_DOCTOR_SEND_RATE,
    probeTimeoutSeconds: e.FLEET_DOCTOR_PROBE_TIMEOUT,
    deliveryTimeoutSeconds: e.FLEET_DOCTOR_DELIVERY_TIMEOUT,
    maxAttempts: e.FLEET_DOCTOR_MAX_ATTEMPTS,
  };
}

let cached: Config | undefined;

/** The process's configuration, parsed on first use and then kept. */
export function config(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}
