import { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import { ECSClient } from "@aws-sdk/client-ecs";
import { SSMClient, type SSMClientConfig } from "@aws-sdk/client-ssm";
import type { Config } from "../config.ts";
import { errorName } from "./errors.ts";

/** Credentials for a fleet's clients: what the SDK's credential providers (fromTemporaryCredentials) return. */
export type FleetCredentials = NonNullable<SSMClientConfig["credentials"]>;

/** One attempt of one AWS call that failed (the SDK may retry it): for counting throttling and 5xx per scan. */
export type AttemptError = { operation: string; code: string; status?: number };
export type AttemptObserver = (e: AttemptError) => void;

export type Clients = {
  ssm: SSMClient;
  autoscaling: AutoScalingClient;
  ecs: ECSClient;
  /** Launch templates and images (group exposure, issue 20). */
  /** Watches every failed attempt (retried or not) until the returned function is called. */
  observe(fn: AttemptObserver): () => void;
};

/**
 * The SDK clients, from config: region, adaptive retry (client-side rate limiting on throttling) and the attempt
 * budget. Endpoints are not set here: the SDK reads AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_SSM /
 * AWS_ENDPOINT_URL_AUTO_SCALING / AWS_ENDPOINT_URL_ECS itself, which is how the simulator is reached with no code path
 * of its own.
 */
export function createClients(
  config: Pick<Config, "region" | "maxAttempts">,
  /** Another fleet's credentials (an assumed role, lib/fleets/); absent: the SDK's default chain. */
  credentials?: FleetCredentials,
): Clients {
  const common = {
    region: config.region,
    maxAttempts: config.maxAttempts,
    retryMode: "adaptive" as const,
    ...(credentials ? { credentials } : {}),
  };
  const ssm = new SSMClient(common);
  const autoscaling = new AutoScalingClient(common);
  const ecs = new ECSClient(common);
  const observers = new Set<AttemptObserver>();
  // The ECS client is of a later SDK release whose smithy types TypeScript will not unify with SSM's in one call
  // signature; its middleware stack is the same at run time.
  for (const client of [ssm, autoscaling, ecs as unknown as SSMClient] as const) {
    // In the deserialize step, inside the retry loop: it sees every attempt's parsed error, not just the last one.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        try {
          return await next(args);
        } catch (e) {
          if (observers.size > 0) {
            const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
            const event: AttemptError = {
              operation: context.commandName?.replace(/Command$/, "") ?? "unknown",
              code: errorName(e),
              ...(status ? { status } : {}),
            };
            for (const fn of observers) fn(event);
          }
          throw e;
        }
      },
      { step: "deserialize", name: "fleetDoctorAttemptObserver", priority: "high" },
    );
  }
  return {
    ssm,
    autoscaling,
    ecs,
    observe(fn) {
      observers.add(fn);
      return () => observers.delete(fn);
    },
  };
}
