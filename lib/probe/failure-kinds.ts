/**
 * The startup failures the probe names from the agent's log (facts/ecs-agent.md), in the report's `logs.failure.kind`.
 * Kept apart from report-schema.ts (zod) so that client code can read the list: the diagnosis's agent-failed causes
 * are these and two of its own.
 */
export const FAILURE_KINDS = [
  "imds-region",
  "credentials",
  "registration",
  "state-mismatch",
  "task-engine",
  "docker",
  "cgroups",
  "cloud-init",
  "cluster-not-found",
  "docker-api",
  "disk-full",
  "clock-skew",
  "instance-type",
] as const;

export type FailureKind = (typeof FAILURE_KINDS)[number];
