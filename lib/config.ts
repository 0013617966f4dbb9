import { Cron } from "croner";
import { z } from "zod";
import { parseWebhooks, type Webhook } from "./alerts/webhook-config.ts";
import { FleetDoctorError } from "./errors.ts";
import { type FleetsSpec, readFleetsFile } from "./fleets/fleets-file.ts";
import { isPostgresUrl } from "./store/pg-url.ts";

/**
 * Every environment variable Fleet Doctor reads, validated once. AWS endpoints are only checked here, not passed
 * on: the SDK reads AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> itself, as every AWS tool does, but it would
 * only fail on a malformed one mid-scan (`TypeError: Invalid URL`), so a wrong value stops the program at start.
 */
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const isHttpUrl = (s: string) => {
  try {
    const u = new URL(s);
    return (u.protocol === "http:" || u.protocol === "https:") && u.hostname !== "";
  } catch {
    return false;
  }
};
/** An endpoint override: an http(s) URL, or empty (the SDK then ignores it). */
const endpointUrl = z
  .string()
  .refine((s) => s === "" || isHttpUrl(s), "expected an http(s) URL such as http://127.0.0.1:4566")
  .optional();

const schema = z.object({
  AWS_ENDPOINT_URL: endpointUrl,
  AWS_ENDPOINT_URL_SSM: endpointUrl,
  AWS_ENDPOINT_URL_AUTO_SCALING: endpointUrl,
  AWS_ENDPOINT_URL_STS: endpointUrl,
  AWS_ENDPOINT_URL_ECS: endpointUrl,
  AWS_REGION: z.string().min(1).optional(),
  AWS_DEFAULT_REGION: z.string().min(1).optional(),
  FLEET_DOCTOR_DB: z.string().min(1).default("./data/fleet-doctor.db"),
  /**
   * A PostgreSQL server to keep the state in (several replicas share it); unset or empty: the SQLite file at
   * FLEET_DOCTOR_DB, as on one machine.
   */
  FLEET_DOCTOR_DATABASE_URL: z
    .string()
    .refine(
      (s) => s === "" || isPostgresUrl(s),
      "expected a PostgreSQL URL such as postgres://fleet_doctor:PASSWORD@db.internal:5432/fleet_doctor",
    )
    .optional(),
  FLEET_DOCTOR_AUTH: z.enum(["none", "alb"]).default("none"),
  /** SendCommand calls per second the scan allows itself (SSM publishes no quota; stay well under the observed one). */
  FLEET_DOCTOR_SEND_RATE: z.coerce.number().positive().max(100).default(5),
  /** Seconds the probe may run on an instance before SSM kills it (AWS-RunShellScript executionTimeout). */
  FLEET_DOCTOR_PROBE_TIMEOUT: z.coerce.number().int().min(10).max(600).default(30),
  /** Seconds SSM may take to deliver a command (SendCommand TimeoutSeconds, at least 30). */
  FLEET_DOCTOR_DELIVERY_TIMEOUT: z.coerce.number().int().min(30).max(2_592_000).default(60),
  FLEET_DOCTOR_MAX_ATTEMPTS: positiveInt(6),
  /** ListCommandInvocations / GetCommandInvocation calls per second a scan allows itself while collecting. */
  FLEET_DOCTOR_POLL_RATE: z.coerce.number().positive().max(200).default(15),
  /** auth=alb: the load balancer's ARN; the `signer` of every x-amzn-oidc-data token must equal it. */
  FLEET_DOCTOR_ALB_ARN: z
    .string()
    .regex(/^arn:aws[\w-]*:elasticloadbalancing:[\w-]+:\d{12}:loadbalancer\/app\/[\w./-]+$/, "expected an ALB ARN")
    .optional(),
  /** auth=alb: where the ALB's public keys are fetched by `kid` (default: the regional AWS endpoint). */
  FLEET_DOCTOR_ALB_KEY_URL: z.url().optional(),
  /** auth=alb: comma list of e-mails or `group:<name>` that may act (restart), and that may read (`*` = anyone signed in). */
  FLEET_DOCTOR_OPERATORS: z.string().default(""),
  FLEET_DOCTOR_VIEWERS: z.string().default(""),
  /** auth=alb: the claim of the OIDC user data that holds the user's groups (Cognito: `cognito:groups`). */
  FLEET_DOCTOR_GROUPS_CLAIM: z.string().min(1).default("groups"),
  /** The app's own origin (scheme://host[:port]) as browsers see it; mutations must carry it as Origin. */
  FLEET_DOCTOR_ORIGIN: z.url().optional(),
  /** Seconds a diagnosis stays recent enough to restart on. */
  FLEET_DOCTOR_RESTART_MAX_AGE: z.coerce.number().int().min(30).max(86_400).default(900),
  /** Seconds the restart script waits on the instance for the agent to register or fail again. */
  FLEET_DOCTOR_RESTART_WAIT: z.coerce.number().int().min(10).max(900).default(90),
  /**
   * Seconds a lease on running work (a scan, an action) lasts without a heartbeat; the owner renews it every third
   * of that. When it runs out, any process marks the scan interrupted or takes the action over.
   */
  FLEET_DOCTOR_LEASE_TTL: z.coerce.number().int().min(1).max(3600).default(30),
  /**
   * Seconds an InService group member may take to register with ECS before a scan calls it overdue (boot, cloud-init,
   * agent start and registration usually take one to three minutes).
   */
  FLEET_DOCTOR_JOIN_GRACE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
  /** The watcher (lib/watch): `on` runs it in the server (on one replica: the leader), `off` never. */
  FLEET_DOCTOR_WATCH: z.enum(["on", "off"]).default("on"),
  /** Seconds between two looks of the watcher at what changed in the fleet. */
  FLEET_DOCTOR_WATCH_INTERVAL: z.coerce.number().int().min(1).max(3600).default(30),
  /** Seconds after which an instance's last result is stale and the watcher probes it again. */
  FLEET_DOCTOR_WATCH_STALE: z.coerce.number().int().min(60).max(604_800).default(3600),
  /** When the watcher runs a full scan: a cron expression (5 fields, UTC), or `off`. */
  FLEET_DOCTOR_FULL_SCAN_CRON: z
    .string()
    .default("0 */6 * * *")
    .refine((s) => s === "off" || isCron(s), "expected a cron expression such as '0 */6 * * *', or off"),
  /** The global kill switch of autopilot: `off` stops every automatic restart, whatever the policies say. */
  FLEET_DOCTOR_AUTOPILOT: z.enum(["on", "off"]).default("on"),
  /** Alert webhooks: a JSON array (lib/alerts/webhook-config.ts); its URLs and secrets are never shown. */
  FLEET_DOCTOR_WEBHOOKS: z.string().default(""),
  /**
   * The fleets file (YAML or JSON: accounts, roles, regions; lib/fleets/): unset or empty, the one fleet of the
   * default credentials and region.
   */
  FLEET_DOCTOR_FLEETS: z.string().default(""),
});

function isCron(s: string): boolean {
  try {
    new Cron(s, { paused: true, timezone: "UTC" }).stop();
    return s.trim().split(/\s+/).length === 5;
  } catch {
    return false;
  }
}

export type Config = {
  region: string;
  dbPath: string;
  /** The PostgreSQL server's URL when the state lives there (FLEET_DOCTOR_DATABASE_URL), else undefined: SQLite. */
  databaseUrl?: string;
  auth: "none" | "alb";
  sendRate: number;
  probeTimeoutSeconds: number;
  deliveryTimeoutSeconds: number;
  maxAttempts: number;
  pollRate: number;
  alb: { arn?: string; keyUrl: string; groupsClaim: string };
  /** Role lists (auth=alb): lower-cased e-mails, `group:<name>` entries, or `*`. */
  operators: string[];
  viewers: string[];
  origin?: string;
  restartMaxAgeSeconds: number;
  restartWaitSeconds: number;
  leaseTtlSeconds: number;
  /** FLEET_DOCTOR_JOIN_GRACE_SECONDS: how long in service before an unregistered group member is overdue. */
  joinGraceSeconds: number;
  /** The watcher: whether it runs, its interval, when a result is stale, and its full-scan schedule (or none). */
  watch: { enabled: boolean; intervalSeconds: number; staleSeconds: number; fullScanCron?: string };
  /** FLEET_DOCTOR_AUTOPILOT=off: no automatic restart anywhere (the page's kill switch is the other way to stop it). */
  autopilotKilled: boolean;
  /** Alert webhooks (secrets inside: never log or return them). */
  webhooks: Webhook[];
  /** FLEET_DOCTOR_FLEETS: the fleets file's path, read and validated by lib/fleets; undefined: the default fleet. */
  fleetsFile?: string;
  /** The fleets file, read and validated at start (its Organizations and `regions: all` are resolved by listFleets). */
  fleets?: FleetsSpec;
};

const list = (s: string) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean)
    .map((x) => (x.startsWith("group:") ? x : x.toLowerCase()));

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
  if (e.FLEET_DOCTOR_AUTH === "alb" && !e.FLEET_DOCTOR_ALB_ARN) {
    throw new FleetDoctorError(
      "BAD_REQUEST",
      "Invalid environment variable FLEET_DOCTOR_ALB_ARN: required when FLEET_DOCTOR_AUTH=alb",
      {
        variable: "FLEET_DOCTOR_ALB_ARN",
      },
    );
  }
  let webhooks: Webhook[];
  try {
    webhooks = parseWebhooks(e.FLEET_DOCTOR_WEBHOOKS);
  } catch (err) {
    throw new FleetDoctorError(
      "BAD_REQUEST",
      `Invalid environment variable FLEET_DOCTOR_WEBHOOKS: ${(err as Error).message}`,
      { variable: "FLEET_DOCTOR_WEBHOOKS" },
    );
  }
  // Read here, once: a bad fleets file stops the program at start with the entry it got wrong.
  let fleets: FleetsSpec | undefined;
  if (e.FLEET_DOCTOR_FLEETS) {
    try {
      fleets = readFleetsFile(e.FLEET_DOCTOR_FLEETS);
    } catch (err) {
      throw new FleetDoctorError(
        "BAD_REQUEST",
        `Invalid environment variable FLEET_DOCTOR_FLEETS: ${(err as Error).message}`,
        { variable: "FLEET_DOCTOR_FLEETS" },
      );
    }
  }
  const region = e.AWS_REGION ?? e.AWS_DEFAULT_REGION ?? "us-east-1";
  return {
    region,
    dbPath: e.FLEET_DOCTOR_DB,
    databaseUrl: e.FLEET_DOCTOR_DATABASE_URL || undefined,
    auth: e.FLEET_DOCTOR_AUTH,
    sendRate: e.FLEET_DOCTOR_SEND_RATE,
    probeTimeoutSeconds: e.FLEET_DOCTOR_PROBE_TIMEOUT,
    deliveryTimeoutSeconds: e.FLEET_DOCTOR_DELIVERY_TIMEOUT,
    maxAttempts: e.FLEET_DOCTOR_MAX_ATTEMPTS,
    pollRate: e.FLEET_DOCTOR_POLL_RATE,
    alb: {
      arn: e.FLEET_DOCTOR_ALB_ARN,
      keyUrl: (e.FLEET_DOCTOR_ALB_KEY_URL ?? `https://public-keys.auth.elb.${region}.amazonaws.com`).replace(
        /\/+$/,
        "",
      ),
      groupsClaim: e.FLEET_DOCTOR_GROUPS_CLAIM,
    },
    operators: list(e.FLEET_DOCTOR_OPERATORS),
    viewers: list(e.FLEET_DOCTOR_VIEWERS),
    origin: e.FLEET_DOCTOR_ORIGIN ? new URL(e.FLEET_DOCTOR_ORIGIN).origin : undefined,
    restartMaxAgeSeconds: e.FLEET_DOCTOR_RESTART_MAX_AGE,
    restartWaitSeconds: e.FLEET_DOCTOR_RESTART_WAIT,
    leaseTtlSeconds: e.FLEET_DOCTOR_LEASE_TTL,
    joinGraceSeconds: e.FLEET_DOCTOR_JOIN_GRACE_SECONDS,
    watch: {
      enabled: e.FLEET_DOCTOR_WATCH === "on",
      intervalSeconds: e.FLEET_DOCTOR_WATCH_INTERVAL,
      staleSeconds: e.FLEET_DOCTOR_WATCH_STALE,
      ...(e.FLEET_DOCTOR_FULL_SCAN_CRON === "off" ? {} : { fullScanCron: e.FLEET_DOCTOR_FULL_SCAN_CRON }),
    },
    autopilotKilled: e.FLEET_DOCTOR_AUTOPILOT === "off",
    ...(e.FLEET_DOCTOR_FLEETS ? { fleetsFile: e.FLEET_DOCTOR_FLEETS, fleets } : {}),
    webhooks,
  };
}

let cached: Config | undefined;

/** The process's configuration, parsed on first use and then kept. */
export function config(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}
